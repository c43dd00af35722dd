"""The policy's next edition, drafted in the portal (policies.editions): copied from the edition
in force, edited by 管理者, previewed, adopted on a date; items keep their edition; the
dashboard reads earlier items under the new policies and examples; the file and the portal
give the same records."""

import datetime

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from dashboard import figures
from initiatives.models import Initiative
from policies import editions
from policies.masterdata import MasterDataError, load, read_file
from policies.masterdata.dump import edition_data
from policies.models import ChecklistItem, ExampleInitiative, Policy, PolicyEdition
from reviews import queries as review_queries

from .conftest import MASTER_DATA
from .factories import make_initiative

pytestmark = pytest.mark.django_db
S = Initiative.Status
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def current(master_data):
    return PolicyEdition.objects.in_force()


@pytest.fixture
def draft(current, admin_user):
    return editions.draft_next(current, actor=admin_user)


def test_a_draft_copies_the_edition_in_force_and_continues_it(current, draft):
    assert draft.is_draft and draft.based_on == current
    assert (draft.start_fiscal_year, draft.end_fiscal_year) == (2026, 2028)
    assert draft.policies.count() == current.policies.count()
    assert ExampleInitiative.objects.filter(policy__edition=draft).count() == 23
    old = current.policies.get(number=3).examples.get(number=1)
    new = draft.policies.get(number=3).examples.get(number=1)
    assert list(new.continues.all()) == [old] and new.title == old.title
    assert draft.policies.get(number=1).continues == current.policies.get(number=1)
    items = [i.text for i in draft.current_checklist().items.order_by("number")]
    assert items == [i.text for i in current.current_checklist().items.order_by("number")]
    # Not in force, not offered to proposals.
    assert PolicyEdition.objects.in_force() == current
    assert AuditEvent.objects.filter(action="edition.drafted", object_id=draft.pk).exists()


def test_only_administrators_see_a_draft(client, draft, proposer, admin_user):
    client.force_login(proposer)
    assert draft.title not in client.get(reverse("policies:editions")).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404
    policy_url = reverse("policies:policy", args=[draft.code, 1])
    assert client.get(policy_url).status_code == 404
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(admin_user)
    assert draft.title in client.get(reverse("policies:editions")).content.decode()
    preview = client.get(draft.get_absolute_url()).content.decode()
    assert "案（未採択）のプレビュー" in preview
    assert "の取組例の引き継ぎ" in preview and "引き継ぎなし" not in preview
    # An example left without successor is said so.
    ExampleInitiative.objects.filter(policy__edition=draft, policy__number=1, number=1).delete()
    assert "引き継ぎなし" in client.get(draft.get_absolute_url()).content.decode()


def test_adoption_is_refused_with_reasons_and_changes_nothing(current, draft, admin_user):
    with pytest.raises(editions.EditionError) as exc:
        editions.adopt(draft, on=current.adopted_on, actor=admin_user)
    assert "策定日は、採択済みの最新の版の策定日" in str(exc.value)
    ChecklistItem.objects.filter(checklist__edition=draft).delete()
    problems = editions.adoption_problems(draft, TOMORROW, "第2次DX推進方針")
    assert problems == ["チェックリストの項目が1つもありません。"]
    # Adopted under its own name: not the draft's provisional one, not an earlier edition's.
    assert "を外し" in editions.adoption_problems(draft, TOMORROW)[0]
    assert "採択済みの版と同じ名称" in editions.adoption_problems(draft, TOMORROW, current.title)[0]
    draft.refresh_from_db()
    assert draft.is_draft


def test_after_adoption_new_proposals_take_it_and_old_items_keep_theirs(
    client, current, draft, admin_user, proposer, reviewer
):
    old_item = make_initiative(proposer, status=S.SUBMITTED, title="前の版で提案した取組")
    Policy.objects.filter(pk=draft.policies.get(number=2).pk).update(name="新しい方針2の名前")
    editions.adopt(draft, on=timezone.localdate(), actor=admin_user, title="第2次DX推進方針")
    assert PolicyEdition.objects.in_force() == draft
    event = AuditEvent.objects.get(action="edition.adopted")
    assert event.after == {
        "adopted_on": timezone.localdate().isoformat(),
        "title": "第2次DX推進方針",
    }
    client.force_login(proposer)
    form = client.get(reverse("initiatives:create")).content.decode()
    assert "新しい方針2の名前" in form
    assert current.policies.get(number=2).name not in form
    old_item.refresh_from_db()
    assert old_item.edition == current
    # Its review is against the checklist of its own edition, not the new one.
    assert review_queries.checklist_for(old_item).edition == current
    page = client.get(old_item.get_absolute_url()).content.decode()
    assert current.policies.get(number=2).name in page


def test_the_dashboard_reads_earlier_items_through_the_mapping(
    current, draft, admin_user, proposer
):
    old_example = current.policies.get(number=2).examples.first()
    make_initiative(proposer, status=S.SUBMITTED)  # lists old_example under old policy 2
    editions.adopt(draft, on=timezone.localdate(), actor=admin_user, title="第2次DX推進方針")
    successor = old_example.continued_by.get()
    assert successor not in figures.unused_examples(draft)
    rows = dict(figures.policy_counts(draft))
    assert rows[figures.policy_label(2, draft.policies.get(number=2).name)] == 1
    assert "過去の版の方針" not in rows
    # Unmapped, the earlier item is counted apart and its example's successor looks unused.
    successor.continues.clear()
    Policy.objects.filter(edition=draft, number=2).update(continues=None)
    assert successor in figures.unused_examples(draft)
    assert dict(figures.policy_counts(draft))["過去の版の方針"] == 1


def test_an_adopted_editions_content_is_read_only_in_the_admin(client, current, draft, admin_user):
    client.force_login(admin_user)
    adopted_policy = current.policies.get(number=1)
    url = reverse("admin:policies_policy_change", args=[adopted_policy.pk])
    page = client.get(url).content.decode()
    assert 'name="name"' not in page  # shown, not editable
    client.post(url, {"edition": current.pk, "number": 1, "name": "書き換え"})
    adopted_policy.refresh_from_db()
    assert adopted_policy.name != "書き換え"
    draft_policy = draft.policies.get(number=1)
    url = reverse("admin:policies_policy_change", args=[draft_policy.pk])
    assert 'name="name"' in client.get(url).content.decode()


def test_administrators_draft_and_adopt_through_the_admin(client, current, admin_user):
    client.force_login(admin_user)
    changelist = reverse("admin:policies_policyedition_changelist")
    response = client.post(
        changelist, {"action": "draft_next", "_selected_action": [current.pk]}, follow=True
    )
    draft = PolicyEdition.objects.drafts().get()
    assert "を案として作りました" in response.content.decode()
    adopt = reverse("admin:policies_policyedition_adopt", args=[draft.pk])
    page = client.get(adopt).content.decode()
    assert f'value="{current.title}"' in page  # the provisional mark taken off, to be renamed
    refused = client.post(
        adopt, {"adopted_on": current.adopted_on.isoformat(), "title": "第2次DX推進方針"}
    )
    assert "策定日は、採択済みの最新の版の策定日" in refused.content.decode()
    done = client.post(
        adopt, {"adopted_on": TOMORROW.isoformat(), "title": "第2次DX推進方針"}, follow=True
    )
    assert "を採択しました" in done.content.decode()
    draft.refresh_from_db()
    assert draft.adopted_on == TOMORROW
    # Adopted for tomorrow: today the old one is still in force.
    assert PolicyEdition.objects.in_force() == current
    assert PolicyEdition.objects.in_force(TOMORROW) == draft


def test_the_portal_and_the_file_give_the_same_records(tmp_path, current, draft, admin_user):
    # An example left out of the revision: the others keep their numbers, in the file too.
    ExampleInitiative.objects.filter(policy__edition=draft, policy__number=2, number=3).delete()
    policy = draft.policies.get(number=1)
    policy.name = "改めた方針1"
    policy.save()
    example = ExampleInitiative.objects.get(policy=policy, number=1)
    example.title = "改めた取組例"
    example.save()
    editions.adopt(draft, on=TOMORROW, actor=admin_user, title="第2次DX推進方針")
    draft.refresh_from_db()
    built = edition_data(draft)

    # Written to the city's file, the edition loads as nothing new: the same records.
    data = yaml.safe_load(MASTER_DATA.read_text(encoding="utf-8"))
    data["editions"].append(built)
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert not load(read_file(path)).changed

    # Loaded from the file as another edition, its records read as the portal's.
    copy = {**built, "code": "copy", "title": built["title"], "adopted_on": None}
    data["editions"].append(copy)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load(read_file(path))
    loaded = edition_data(PolicyEdition.objects.get(code="copy"))
    assert {**loaded, "code": built["code"], "adopted_on": built["adopted_on"]} == built


def test_a_file_naming_examples_its_base_lacks_is_refused_whole(tmp_path, master_data):
    data = yaml.safe_load(MASTER_DATA.read_text(encoding="utf-8"))
    base = data["editions"][0]
    data["editions"].append(
        {
            **base,
            "code": "next",
            "adopted_on": None,
            "based_on": base["code"],
            "policies": [
                {
                    "number": 1,
                    "name": "x",
                    "continues": 9,
                    "examples": [{"title": "y", "continues": ["1-99"]}],
                }
            ],
        }
    )
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(MasterDataError) as exc:
        load(read_file(path))
    message = str(exc.value)
    assert "editions[1].policies[0].continues: もとにした版に方針9がありません" in message
    assert (
        "editions[1].policies[0].examples[0].continues: もとにした版に取組例1-99がありません"
        in message
    )
    assert not PolicyEdition.objects.filter(code="next").exists()


def test_nothing_is_added_to_or_moved_into_an_adopted_edition(client, current, draft, admin_user):
    client.force_login(admin_user)
    adopted_checklist = current.current_checklist()
    before = adopted_checklist.items.count()
    response = client.post(
        reverse("admin:policies_checklistitem_add"),
        {"checklist": adopted_checklist.pk, "number": 99, "text": "追加"},
    )
    assert response.status_code == 200  # the form refuses the choice
    assert adopted_checklist.items.count() == before
    draft_policy = draft.policies.get(number=1)
    url = reverse("admin:policies_policy_change", args=[draft_policy.pk])
    client.post(url, {"edition": current.pk, "number": 9, "name": "移す"})
    draft_policy.refresh_from_db()
    assert draft_policy.edition == draft


def test_a_draft_in_the_file_is_the_portals_once_loaded(tmp_path, master_data, admin_user):
    data = yaml.safe_load(MASTER_DATA.read_text(encoding="utf-8"))
    base = data["editions"][0]
    data["editions"].append(
        {
            **base,
            "code": "next",
            "title": "次の版（案）",
            "adopted_on": None,
            "based_on": base["code"],
        }
    )
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load(read_file(path))
    draft = PolicyEdition.objects.get(code="next")
    assert draft.is_draft
    Policy.objects.filter(edition=draft, number=1).update(name="ポータルで直した")
    editions.adopt(draft, on=TOMORROW, actor=admin_user, title="第2次DX推進方針")
    assert not load(read_file(path)).changed  # the other master data still loads


def test_adoption_refuses_continuing_an_edition_it_does_not_revise(current, draft, admin_user):
    other = editions.draft_next(current, actor=admin_user)
    editions.adopt(other, on=TOMORROW, actor=admin_user, title="別の版")
    stray = ExampleInitiative.objects.filter(policy__edition=other).first()
    ExampleInitiative.objects.filter(policy__edition=draft).first().continues.add(stray)
    problems = editions.adoption_problems(draft, TOMORROW + datetime.timedelta(days=1), "第3次")
    assert any("もとにした版のものにしてください" in p for p in problems)


def test_a_draft_policy_page_says_it_is_a_draft(client, draft, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("policies:policy", args=[draft.code, 1])).content.decode()
    assert "案（未採択）のプレビューです" in page and "過去の版を表示しています" not in page
