"""Follow-up of department-led items (所管課推進): finding 5 of the hand-off issue. After the
classification the department records progress notes (its OODA log); late notes show on the
lists, the home page, the dashboard; citizens see the progress of a published item."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from initiatives.models import Initiative
from initiatives.publication import set_publication
from plans import follow_up, services
from plans.models import ProgressNote
from yachiyo_dx.worklists import worklist

from .factories import make_initiative

pytestmark = pytest.mark.django_db
S = Initiative.Status
TODAY = timezone.localdate()


def values(**overrides):
    return {
        "recorded_on": TODAY,
        "observed": "窓口の待ち時間が短くなり、問い合わせが減った。",
        "acted": "申請画面の説明文を改め、職員向けの手順書を配った。",
        "progress_percent": 40,
        "next_step": "利用者アンケートを行う。",
        "next_due": TODAY + datetime.timedelta(days=90),
        **overrides,
    }


@pytest.fixture
def item(proposer):
    return make_initiative(proposer, status=S.DEPARTMENT_LED, title="窓口案内の改善")


def test_the_first_note_starts_the_item_and_both_are_audited(item, promoter):
    note = services.record_note(item, actor=promoter, values=values())
    item.refresh_from_db()
    assert item.status == S.IN_PROGRESS
    assert note.progress_percent == 40 and note.author == promoter
    recorded = AuditEvent.objects.get(action="note.recorded")
    assert recorded.after["progress_percent"] == 40 and recorded.context["initiative"] == item.pk
    started = AuditEvent.objects.for_object(item).of("initiative.transition").last()
    assert started.after == {"status": S.IN_PROGRESS}
    services.record_note(item, actor=promoter, values=values(progress_percent=60))
    assert item.progress_notes.count() == 2
    assert AuditEvent.objects.for_object(item).of("initiative.transition").count() == 2


def test_only_the_owners_write_notes(item, outsider, reviewer, proposer):
    for other in (outsider, reviewer):
        with pytest.raises(PermissionDenied):
            services.record_note(item, actor=other, values=values())
    assert not ProgressNote.objects.exists()
    services.record_note(item, actor=proposer, values=values())


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"recorded_on": TODAY + datetime.timedelta(days=1)}, "未来の日付"),
        ({"next_due": TODAY}, "記録日より後"),
        ({"next_due": TODAY + datetime.timedelta(days=400)}, "183日以内"),
        ({"progress_percent": 150}, "0から100"),
        ({"acted": " "}, "決めたこと"),
    ],
)
def test_bad_notes_are_refused_in_japanese_and_nothing_is_saved(item, promoter, bad, message):
    with pytest.raises(services.PlanError, match=message):
        services.record_note(item, actor=promoter, values=values(**bad))
    item.refresh_from_db()
    assert item.status == S.DEPARTMENT_LED and not ProgressNote.objects.exists()


def test_an_item_in_the_plan_reports_by_pdca_not_by_notes(proposer, promoter):
    planned = make_initiative(proposer, status=S.PLANNED)
    with pytest.raises(services.PlanError, match="進捗報告"):
        services.record_note(planned, actor=promoter, values=values())


def test_the_form_answers_each_bad_field_beside_it(client, item, promoter):
    client.force_login(promoter)
    url = reverse("plans:note_add", args=[item.pk])
    page = client.get(url).content.decode()
    assert 'name="next_due"' in page and "進捗の記録" in page
    data = {**values(progress_percent=150, next_due=TODAY), "next_step": ""}
    response = client.post(url, {k: str(v) for k, v in data.items()})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["progress_percent"] and form.errors["next_due"]
    assert "制約" not in response.content.decode()
    assert not ProgressNote.objects.exists()
    response = client.post(url, {k: str(v) for k, v in values().items()})
    assert response.status_code == 302 and ProgressNote.objects.count() == 1


def test_the_form_is_refused_to_others(client, item, outsider, council):
    for user, status in ((outsider, 403), (council, 403)):
        client.force_login(user)
        assert client.get(reverse("plans:note_add", args=[item.pk])).status_code == status


def test_due_dates_come_from_the_classification_then_from_each_note(item, promoter, settings):
    settings.NOTE_FIRST_DUE_DAYS = 30
    [due] = follow_up.notes_due()
    assert due.due_on == TODAY + datetime.timedelta(days=30) and due.last is None
    later = TODAY + datetime.timedelta(days=45)
    services.record_note(item, actor=promoter, values=values(next_due=later))
    [due] = follow_up.notes_due()
    assert due.due_on == later and due.last.progress_percent == 40
    assert not due.is_overdue(TODAY) and due.is_overdue(later + datetime.timedelta(days=1))


def test_a_late_note_shows_on_the_lists_and_the_home_pages(client, item, promoter, reviewer):
    event = AuditEvent.objects.for_object(item).get()
    event.created_at -= datetime.timedelta(days=90)  # classified three months ago
    event.save()
    for user in (promoter, reviewer):
        rows = {w.label: w for w in worklist(user)}
        late = next(w for label, w in rows.items() if "所管課推進" in label)
        assert late.count == 1 and late.urgent
        client.force_login(user)
        home = client.get(reverse("home")).content.decode()
        assert late.url.replace("&", "&amp;") in home
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("plans:reports_due")).content.decode()
    assert "記録の予定日を過ぎたもの（1件）" in page and "窓口案内の改善" in page
    for n in range(3):
        other = make_initiative(promoter, status=S.DEPARTMENT_LED, title=f"別の取組{n}")
        services.record_note(other, actor=promoter, values=values())
    client.get(reverse("plans:reports_due"))  # the shared values read anew, as for `one`
    with CaptureQueriesContext(connection) as four:
        page = client.get(reverse("plans:reports_due")).content.decode()
    assert "これから記録するもの（3件）" in page
    assert len(four) == len(one), "the due page makes a query per item"


def test_the_item_page_shows_the_notes_and_offers_the_next(client, item, promoter, outsider):
    services.record_note(item, actor=promoter, values=values())
    client.force_login(promoter)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "進捗の記録（所管課推進）" in page and "申請画面の説明文を改め" in page
    assert reverse("plans:note_add", args=[item.pk]) in page
    client.force_login(outsider)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "申請画面の説明文を改め" in page
    assert reverse("plans:note_add", args=[item.pk]) not in page


def test_citizens_see_the_progress_but_not_what_the_department_wrote(
    client, item, promoter, reviewer
):
    set_publication(
        item, actor=reviewer, is_public=True, summary="窓口の案内をわかりやすくします。"
    )
    services.record_note(item, actor=promoter, values=values(progress_percent=70))
    client.logout()
    for name, args in (("public:index", []), ("public:detail", [item.pk])):
        page = client.get(reverse(name, args=args)).content.decode()
        assert "70％" in page and "の記録による" in page
        assert "申請画面の説明文を改め" not in page and "アンケート" not in page
    rows = client.get(reverse("public:opendata_json")).json()["initiatives"]
    assert rows[0]["progress_percent"] == 70


def test_the_dashboard_counts_department_led_items_by_their_notes(client, item, hq, promoter):
    other = make_initiative(promoter, status=S.DEPARTMENT_LED, title="別の取組")
    services.record_note(other, actor=promoter, values=values())
    client.force_login(hq)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "所管課推進の取組の進捗記録" in page
    assert "予定どおり記録している 1件、最初の記録の前 1件、記録の予定日を過ぎている 0件" in page
