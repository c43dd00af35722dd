"""Invisible characters never reach a record (issue 15: input rules)."""

import pytest
from django.urls import reverse

from initiatives.models import Initiative

from .factories import make_initiative
from .test_intake import edit_data

pytestmark = pytest.mark.django_db

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
RLO = "\u202e"


def test_a_required_field_of_invisible_characters_only_is_empty(client, proposer):
    initiative = make_initiative(proposer)
    client.force_login(proposer)
    url = reverse("initiatives:edit", args=[initiative.pk])
    response = client.post(url, edit_data(initiative, title=ZERO_WIDTH + " \u00ad"))
    assert response.status_code == 200
    assert "取組名" in response.content.decode() and "入力してください" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.version == 1


def test_override_characters_are_not_stored_in_titles(client, proposer):
    initiative = make_initiative(proposer)
    client.force_login(proposer)
    url = reverse("initiatives:edit", args=[initiative.pk])
    response = client.post(url, edit_data(initiative, title=f"電子{RLO}申請{ZERO_WIDTH}の拡充"))
    assert response.status_code == 302
    assert Initiative.objects.get(pk=initiative.pk).title == "電子申請の拡充"


def test_return_reason_of_invisible_characters_is_refused(client, reviewer, proposer):
    item = make_initiative(proposer, status=Initiative.Status.SUBMITTED)
    client.force_login(reviewer)
    response = client.post(
        reverse("reviews:return", args=[item.pk]),
        {"expected_status": item.status, "comment": ZERO_WIDTH},
    )
    assert response.status_code in (200, 400)
    item.refresh_from_db()
    assert item.status == Initiative.Status.SUBMITTED


def test_more_schedule_rows_than_the_form_offers_are_refused(client, proposer):
    """The formset's limit (30 rows) holds on the server, not only in the page."""
    initiative = make_initiative(proposer)
    data = edit_data(initiative, title="31行のスケジュール")
    data["milestones-TOTAL_FORMS"] = "31"
    data["milestones-INITIAL_FORMS"] = "0"
    for i in range(31):
        data[f"milestones-{i}-kind"] = "other"
        data[f"milestones-{i}-label"] = f"作業{i}"
        data[f"milestones-{i}-target_fiscal_year"] = "2027"
    client.force_login(proposer)
    response = client.post(reverse("initiatives:edit", args=[initiative.pk]), data)
    assert response.status_code == 200
    assert "入力できるのは30行までです" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.title != "31行のスケジュール" and initiative.milestones.count() == 2


@pytest.mark.parametrize("day", ["1868-01-01", "9999-12-31"])
def test_implausible_dates_are_refused_for_milestones_and_meetings(client, proposer, reviewer, day):
    from policies.models import Body
    from reviews.models import Meeting

    initiative = make_initiative(proposer)
    data = edit_data(initiative, title="日付の確認")
    data.update(
        {
            "milestones-TOTAL_FORMS": "1",
            "milestones-0-kind": "launch",
            "milestones-0-target_date": day,
        }
    )
    client.force_login(proposer)
    response = client.post(reverse("initiatives:edit", args=[initiative.pk]), data)
    assert "2000年1月1日から2099年12月31日まで" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.version == 1
    client.force_login(reviewer)
    body = Body.objects.get(kind="council")
    response = client.post(reverse("reviews:meeting_create"), {"body": body.pk, "held_on": day})
    assert "2000年1月1日から2099年12月31日まで" in response.content.decode()
    assert not Meeting.objects.exists()
