"""Every service that changes state leaves its audit events, and they say what happened.

The services are found in their modules: a public function there is a service and needs a
case below (or is listed as a read or a step of another service), so a service added later
cannot go unaudited unnoticed. Each case runs the service and names the events it must leave,
in order: action, object, the values before and after (those named), the comment.
"""

import datetime
import inspect
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from core import audit
from core.models import AuditEvent
from initiatives import publication
from initiatives import services as initiative_services
from initiatives.forms import CaseStudyFormSet, InitiativeForm, MilestoneFormSet, SelfCheckForm
from initiatives.models import Initiative
from plans.models import ImplementationPlan, ReportSchedule
from plans.services import notes, placement, reports
from policies.models import Body, Channel, ComprehensivePlan, Measure, PolicyEdition
from reviews.forms import MinutesForm
from reviews.services import consolidation, meetings, review
from yachiyo_dx import reorganisation

from .factories import make_initiative

pytestmark = pytest.mark.django_db
S = Initiative.Status

SERVICE_MODULES = [
    initiative_services,
    publication,
    review,
    consolidation,
    meetings,
    placement,
    reports,
    notes,
    reorganisation,
]
# Public functions of those modules that write nothing, or write only as a step of another
# service that audits the whole.
NOT_SERVICES = {
    "initiatives.publication.publishable_labels": "read",
    "initiatives.publication.publication_problems": "read",
    "initiatives.services.save_self_check": "step of save_proposal",
    "reviews.services.consolidation.proposing_departments": "read",
    "reviews.services.consolidation.can_undo": "read",
}


def services():
    for module in SERVICE_MODULES:
        for name, value in vars(module).items():
            own = inspect.isfunction(value) and value.__module__ == module.__name__
            if own and not name.startswith("_"):
                yield f"{module.__name__}.{name}"


@pytest.fixture
def w(proposer, promoter, reviewer, hq, council, departments, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        title="R8-R10",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )
    return {
        "proposer": proposer,
        "promoter": promoter,
        "reviewer": reviewer,
        "hq": hq,
        "council": council,
        "departments": departments,
        "plan": plan,
        "body": {b.kind: b for b in Body.objects.all()},
    }


YEARS = [{"fiscal_year": 2026, "planned": "試行", "amount": 100}]
KPIS = [
    {
        "indicator": "件数",
        "unit": "件",
        "baseline_value": Decimal("1"),
        "baseline_year": 2025,
        "target_value": Decimal("10"),
        "target_year": 2028,
    }
]


def E(action, obj, before=None, after=None, comment=None):
    return {"action": action, "obj": obj, "before": before, "after": after, "comment": comment}


def under_review(w):
    item = make_initiative(w["proposer"], status=S.SUBMITTED)
    review.start_review(item, actor=w["reviewer"])
    return item


def reviewed(w):
    item = under_review(w)
    checklist = item.edition.current_checklist()
    review.save_checklist_review(
        item, actor=w["reviewer"], answers={i: ("ok", "") for i in checklist.items.all()}
    )
    return item


def at(w, status):
    return make_initiative(w["proposer"], status=status)


def placed(w):
    item = at(w, S.DECIDED)
    return placement.place(
        item, actor=w["reviewer"], plan=w["plan"], owner=item.department, years=YEARS, kpis=KPIS
    )


def draft_report(w):
    entry = placed(w)
    return reports.save_report(
        entry,
        actor=w["proposer"],
        fiscal_year=2026,
        period="year",
        values={"done": "実施", "evaluation": "B", "progress_percent": 30},
        kpi_values={},
    )


def proposal_forms(user, instance, data, files=None):
    edition = PolicyEdition.objects.in_force()
    checklist = edition.current_checklist()
    return {
        "form": InitiativeForm(
            data,
            files,
            instance=instance,
            user=user,
            edition=edition,
            channels=Channel.objects.all(),
        ),
        "milestones": MilestoneFormSet(data, instance=instance, prefix="milestones"),
        "cases": CaseStudyFormSet(data, instance=instance, prefix="cases"),
        "self_check": SelfCheckForm(data, items=checklist.items.all(), prefix="check"),
    }


def form_data(**overrides):
    data = {
        "title": "窓口のキャッシュレス化",
        "channel": str(Channel.objects.get(code="department").pk),
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "cases-TOTAL_FORMS": "0",
        "cases-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def save(user, instance, data, files=None, expected_version=None):
    parts = proposal_forms(user, instance, data, files)
    assert all([p.is_valid() for p in parts.values()]), [p.errors for p in parts.values()]
    return initiative_services.save_proposal(
        **parts,
        files=parts["form"].cleaned_data["new_files"],
        actor=user,
        expected_version=expected_version,
    )


# --- The cases: run a service, return the events it must leave ---------------------------------


def case_transition(w):
    item = at(w, S.PLANNED)
    initiative_services.transition(item, to=S.IN_PROGRESS, actor=w["proposer"], comment="開始")
    return [
        E("initiative.transition", item, {"status": S.PLANNED}, {"status": S.IN_PROGRESS}, "開始")
    ]


def case_submit(w):
    item = at(w, S.DRAFT)
    initiative_services.submit(item, actor=w["proposer"])
    return [E("initiative.transition", item, {"status": S.DRAFT}, {"status": S.SUBMITTED})]


def case_withdraw(w):
    item = at(w, S.SUBMITTED)
    initiative_services.withdraw(item, actor=w["proposer"], comment="不要になった")
    return [
        E(
            "initiative.transition",
            item,
            {"status": S.SUBMITTED},
            {"status": S.WITHDRAWN},
            "不要になった",
        )
    ]


def case_save_proposal(w):
    from initiatives.models import Initiative as Model

    edition = PolicyEdition.objects.in_force()
    new = Model(edition=edition, proposer=w["proposer"], department=w["proposer"].department)
    created = save(w["proposer"], new, form_data())
    events = [E("initiative.created", created, {}, {"title": "窓口のキャッシュレス化"})]
    pdf = SimpleUploadedFile("資料.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    save(
        w["proposer"],
        created,
        form_data(title="窓口の完全キャッシュレス化"),
        files={"new_files": [pdf]},
        expected_version=created.version,
    )
    events.append(
        E(
            "initiative.saved",
            created,
            {"title": "窓口のキャッシュレス化"},
            {"title": "窓口の完全キャッシュレス化", "attachments": ["資料.pdf"]},
        )
    )
    return events


def case_delete_attachment(w):
    item = at(w, S.DRAFT)
    pdf = SimpleUploadedFile("消す.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    save(
        w["proposer"], item, form_data(), files={"new_files": [pdf]}, expected_version=item.version
    )
    attachment = item.attachments.get()
    initiative_services.delete_attachment(attachment, actor=w["proposer"])
    return [E("attachment.deleted", item, {"attachment": "消す.pdf"}, {})]


def case_create_initiative(w):
    created = initiative_services.create_initiative(
        actor=w["reviewer"],
        edition=PolicyEdition.objects.in_force(),
        channel=Channel.objects.get(code="cross-organisational"),
        department=w["reviewer"].department,
        values={"title": "旧計画の取組", "content": "継続"},
    )
    return [E("initiative.created", created, {}, {"title": "旧計画の取組", "content": "継続"})]


def case_rewrite(w):
    item = at(w, S.SUBMITTED)
    title = item.title
    initiative_services.rewrite(
        item, actor=w["reviewer"], values={"title": "書き換え後"}, comment="取りまとめ"
    )
    return [
        E(
            "initiative.rewritten",
            item,
            {"title": title},
            {"title": "書き換え後"},
            "取りまとめ",
        )
    ]


def case_transfer_department(w):
    item = at(w, S.SUBMITTED)
    old, new = w["departments"]["shimin_ka"], w["departments"]["doro"]
    with transaction.atomic():
        initiative_services.transfer_department(
            old, successor=new, actor=w["reviewer"], reason="統合"
        )
    return [
        E("initiative.department", item, {"department": old.pk}, {"department": new.pk}, "統合")
    ]


def case_set_publication(w):
    item = at(w, S.DECIDED)
    publication.set_publication(item, actor=w["reviewer"], is_public=True, summary="市民向け")
    return [
        E(
            "initiative.publication",
            item,
            {"is_public": False, "public_summary": ""},
            {"is_public": True, "public_summary": "市民向け"},
        )
    ]


def case_start_review(w):
    item = at(w, S.SUBMITTED)
    review.start_review(item, actor=w["reviewer"])
    return [E("initiative.transition", item, {"status": S.SUBMITTED}, {"status": S.UNDER_REVIEW})]


def case_save_checklist_review(w):
    item = under_review(w)
    first = item.edition.current_checklist().items.order_by("number").first()
    review.save_checklist_review(
        item, actor=w["reviewer"], answers={first: ("improve", "根拠が薄い")}
    )
    return [E("review.answered", item, {}, {str(first.number): ["improve", "根拠が薄い"]})]


def case_classify(w):
    item = reviewed(w)
    review.classify(item, actor=w["reviewer"], kind="planned", reason="全庁に影響")
    return [
        E(
            "initiative.transition",
            item,
            {"status": S.UNDER_REVIEW},
            {"status": S.COUNCIL},
            "全庁に影響",
        )
    ]


def case_return_for_revision(w):
    item = at(w, S.SUBMITTED)
    review.return_for_revision(item, actor=w["reviewer"], comment="費用を")
    return [
        E("initiative.transition", item, {"status": S.SUBMITTED}, {"status": S.RETURNED}, "費用を")
    ]


def case_consolidate(w):
    one = at(w, S.SUBMITTED)
    two = make_initiative(w["promoter"], status=S.SUBMITTED, title="同じ案")
    result = consolidation.consolidate(
        [one, two], actor=w["reviewer"], primary=one, source=two, title="統合案", content="内容"
    )
    return [
        E(
            "initiative.rewritten",
            result,
            {"title": one.title},
            {"title": "統合案"},
            "取りまとめ（統合）",
        ),
        E(
            "initiative.consolidated",
            result,
            {},
            {"consolidated_from": [two.pk], "source": two.pk, "created": False},
        ),
        E(
            "initiative.transition",
            two,
            {"status": S.SUBMITTED},
            {"status": S.CONSOLIDATED, "consolidated_into": one.pk},
        ),
    ]


def case_undo_consolidation(w):
    one = at(w, S.SUBMITTED)
    two = make_initiative(w["promoter"], status=S.SUBMITTED, title="同じ案")
    result = consolidation.consolidate(
        [one, two], actor=w["reviewer"], source=two, title="統合案", content="内容"
    )
    consolidation.undo_consolidation(result, actor=w["reviewer"], reason="別の趣旨だった")
    return [
        E(
            "initiative.transition",
            result,
            {"status": S.SUBMITTED},
            {"status": S.WITHDRAWN},
            "別の趣旨だった",
        ),
        E(
            "initiative.transition",
            one,
            {"status": S.CONSOLIDATED, "consolidated_into": result.pk},
            {"status": S.SUBMITTED, "consolidated_into": None},
        ),
        E(
            "initiative.transition",
            two,
            {"status": S.CONSOLIDATED, "consolidated_into": result.pk},
            {"status": S.SUBMITTED, "consolidated_into": None},
        ),
        E(
            "initiative.unconsolidated",
            result,
            {"consolidated_from": [one.pk, two.pk]},
            {},
            "別の趣旨だった",
        ),
    ]


def case_record_note(w):
    item = at(w, S.DEPARTMENT_LED)
    today = timezone.localdate()
    note = notes.record_note(
        item,
        actor=w["proposer"],
        values={
            "recorded_on": today,
            "observed": "待ち時間が減った",
            "acted": "手順書を配った",
            "progress_percent": 30,
            "next_step": "アンケート",
            "next_due": today + datetime.timedelta(days=60),
        },
    )
    return [
        E("note.recorded", note, {}, {"progress_percent": 30}),
        E(
            "initiative.transition",
            item,
            {"status": S.DEPARTMENT_LED},
            {"status": S.IN_PROGRESS},
        ),
    ]


def case_create_meeting(w):
    meeting = meetings.create_meeting(
        actor=w["reviewer"], body=w["body"]["council"], held_on=datetime.date(2026, 5, 1)
    )
    return [E("meeting.created", meeting, {}, {"number": 1, "held_on": "2026-05-01"})]


def _council_item(w):
    item = reviewed(w)
    review.classify(item, actor=w["reviewer"], kind="planned", reason="全庁")
    meeting = meetings.create_meeting(
        actor=w["reviewer"], body=w["body"]["council"], held_on=datetime.date(2026, 5, 1)
    )
    return item, meeting


def case_add_agenda_item(w):
    item, meeting = _council_item(w)
    meetings.add_agenda_item(meeting, actor=w["reviewer"], initiative=item)
    return [E("agenda.added", meeting, {}, {"initiative": item.pk, "order": 1})]


def case_record_opinion(w):
    item, meeting = _council_item(w)
    agenda = meetings.add_agenda_item(meeting, actor=w["reviewer"], initiative=item)
    meetings.record_opinion(meeting, agenda.pk, actor=w["council"], text="周知を丁寧に")
    return [
        E("opinion.recorded", item, {}, {"text": "周知を丁寧に"}),
        E("initiative.transition", item, {"status": S.COUNCIL}, {"status": S.HQ_REVIEW}),
    ]


def case_record_decision(w):
    item = at(w, S.HQ_REVIEW)
    meeting = meetings.create_meeting(
        actor=w["reviewer"], body=w["body"]["headquarters"], held_on=datetime.date(2026, 5, 1)
    )
    agenda = meetings.add_agenda_item(meeting, actor=w["reviewer"], initiative=item)
    meetings.record_decision(meeting, agenda.pk, actor=w["hq"], outcome="decided", reason="効果大")
    return [
        E("decision.recorded", item, {}, {"outcome": "decided"}, "効果大"),
        E("initiative.transition", item, {"status": S.HQ_REVIEW}, {"status": S.DECIDED}, "効果大"),
    ]


def case_save_minutes(w):
    meeting = meetings.create_meeting(
        actor=w["reviewer"], body=w["body"]["council"], held_on=datetime.date(2026, 5, 1)
    )
    form = MinutesForm(
        {"held_on": "2026-05-08", "place": "第1会議室", "minutes": "議事要旨"}, instance=meeting
    )
    assert form.is_valid(), form.errors
    meetings.save_minutes(form, actor=w["reviewer"])
    return [
        E(
            "meeting.updated",
            meeting,
            {"held_on": "2026-05-01", "place": "", "minutes": ""},
            {"held_on": "2026-05-08", "place": "第1会議室", "minutes": "議事要旨"},
        )
    ]


def case_place(w):
    item = at(w, S.DECIDED)
    entry = placement.place(
        item, actor=w["reviewer"], plan=w["plan"], owner=item.department, years=YEARS, kpis=[]
    )
    return [
        E("plan_entry.placed", entry, {}, {"initiative": item.pk, "plan": w["plan"].pk}),
        E("initiative.transition", item, {"status": S.DECIDED}, {"status": S.PLANNED}),
    ]


def case_register_continuing(w):
    entry = placement.register_continuing(
        actor=w["reviewer"],
        plan=w["plan"],
        owner=w["departments"]["doro"],
        title="道路台帳のGIS化",
        content="継続",
        years=YEARS,
        kpis=[],
    )
    item = entry.initiative
    return [
        E("initiative.created", item, {}, {"title": "道路台帳のGIS化"}),
        E("plan_entry.placed", entry, {}, {"origin": "former_ict"}),
        E("initiative.transition", item, {"status": S.DRAFT}, {"status": S.PLANNED}),
    ]


def case_revise(w):
    entry = placed(w)
    placement.revise(entry, actor=w["reviewer"], reason="予算が減った", years=YEARS, kpis=[])
    return [E("plan_entry.revised", entry, {}, {"revision": 1, "kpis": []}, "予算が減った")]


def case_transfer_owner(w):
    entry = placed(w)
    old, new = entry.owner, w["departments"]["doro"]
    with transaction.atomic():
        placement.transfer_owner(old, successor=new, actor=w["reviewer"], reason="組織改正")
    return [E("plan_entry.owner", entry, {"owner": old.pk}, {"owner": new.pk}, "組織改正")]


def case_save_report(w):
    entry = placed(w)
    report = reports.save_report(
        entry,
        actor=w["proposer"],
        fiscal_year=2026,
        period="year",
        values={"done": "実施", "progress_percent": 30},
        kpi_values={},
    )
    return [E("report.saved", report, {}, {"done": "実施", "progress_percent": 30})]


def case_report_transition(w):
    report = draft_report(w)
    reports.report_transition(report, to="submitted", actor=w["proposer"])
    return [E("report.transition", report, {"status": "draft"}, {"status": "submitted"})]


def case_submit_report(w):
    report = draft_report(w)
    reports.submit_report(report, actor=w["proposer"])
    return [E("report.transition", report, {"status": "draft"}, {"status": "submitted"})]


def case_review_report(w):
    report = draft_report(w)
    reports.submit_report(report, actor=w["proposer"])
    reports.review_report(report, actor=w["reviewer"], confirm=False, comment="具体的に")
    return [
        E("report.transition", report, {"status": "draft"}, {"status": "submitted"}),
        E("report.transition", report, {"status": "submitted"}, {"status": "returned"}, "具体的に"),
    ]


def case_send_reminders(w):
    entry = placed(w)
    initiative_services.transition(entry.initiative, to=S.IN_PROGRESS, actor=w["proposer"])
    ReportSchedule.objects.create(fiscal_year=2026, due_on=datetime.date(2027, 4, 30))
    assert reports.send_reminders(datetime.date(2027, 5, 1)) == 1
    return [
        E("initiative.transition", entry.initiative, {"status": S.PLANNED}),
        E("report.reminded", entry, {}, {"fiscal_year": 2026, "period": "year"}),
    ]


def case_rename(w):
    dept = w["departments"]["doro"]
    reorganisation.rename(dept, actor=w["reviewer"], name="道路課")
    return [E("department.renamed", dept, {"name": "道路管理課"}, {"name": "道路課"})]


def case_retire(w):
    old, new = w["departments"]["doro"], w["departments"]["shimin_ka"]
    reorganisation.retire(old, actor=w["reviewer"], successor=new, reason="統合", move_users=True)
    return [E("department.retired", old, {"is_active": True}, {"is_active": False}, "統合")]


CASES = {
    "initiatives.services.transition": case_transition,
    "initiatives.services.submit": case_submit,
    "initiatives.services.withdraw": case_withdraw,
    "initiatives.services.save_proposal": case_save_proposal,
    "initiatives.services.delete_attachment": case_delete_attachment,
    "initiatives.services.create_initiative": case_create_initiative,
    "initiatives.services.rewrite": case_rewrite,
    "initiatives.services.transfer_department": case_transfer_department,
    "initiatives.publication.set_publication": case_set_publication,
    "reviews.services.review.start_review": case_start_review,
    "reviews.services.review.save_checklist_review": case_save_checklist_review,
    "reviews.services.review.classify": case_classify,
    "reviews.services.review.return_for_revision": case_return_for_revision,
    "reviews.services.consolidation.consolidate": case_consolidate,
    "reviews.services.consolidation.undo_consolidation": case_undo_consolidation,
    "reviews.services.meetings.create_meeting": case_create_meeting,
    "reviews.services.meetings.add_agenda_item": case_add_agenda_item,
    "reviews.services.meetings.record_opinion": case_record_opinion,
    "reviews.services.meetings.record_decision": case_record_decision,
    "reviews.services.meetings.save_minutes": case_save_minutes,
    "plans.services.placement.place": case_place,
    "plans.services.placement.register_continuing": case_register_continuing,
    "plans.services.placement.revise": case_revise,
    "plans.services.placement.transfer_owner": case_transfer_owner,
    "plans.services.reports.save_report": case_save_report,
    "plans.services.reports.report_transition": case_report_transition,
    "plans.services.reports.submit_report": case_submit_report,
    "plans.services.reports.review_report": case_review_report,
    "plans.services.reports.send_reminders": case_send_reminders,
    "plans.services.notes.record_note": case_record_note,
    "yachiyo_dx.reorganisation.rename": case_rename,
    "yachiyo_dx.reorganisation.retire": case_retire,
}


def test_every_service_has_a_case():
    found = set(services())
    assert found - set(NOT_SERVICES) == set(CASES), (
        f"without a case: {sorted(found - set(CASES) - set(NOT_SERVICES))}; "
        f"stale: {sorted(set(CASES) - found)}"
    )


def _matches(event, expected, actor_names):
    obj = expected["obj"]
    checks = [
        event.action == expected["action"],
        (event.content_type.model_class(), event.object_id) == (type(obj), obj.pk),
        event.actor_name in actor_names,
        # An initiative's title may change after the event; other records are named as now.
        event.object_repr == str(type(obj).objects.get(pk=obj.pk))[:200]
        or isinstance(obj, Initiative),
    ]
    for key in ("before", "after"):
        for name, value in (expected[key] or {}).items():
            checks.append(getattr(event, key).get(name) == value)
    if expected["comment"] is not None:
        checks.append(event.comment == expected["comment"])
    return all(checks)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_service_leaves_its_audit_events(w, name, django_capture_on_commit_callbacks):
    people = {u.display_name for key, u in w.items() if hasattr(u, "display_name")} | {"システム"}
    # The case's own set-up writes events too; only those from the service's first call count.
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        expected = CASES[name](w)
    written = list(AuditEvent.objects.filter(pk__gt=start).select_related("content_type"))
    # The expected events are the last ones written, in order (set-up ones come first).
    tail = written[-len(expected) :]
    problems = [
        f"{i}: expected {e['action']} on {e['obj']!r}, got {ev.action} {ev.before} → {ev.after}"
        f" ({ev.comment!r})"
        for i, (e, ev) in enumerate(zip(expected, tail, strict=False))
        if not _matches(ev, e, people)
    ]
    assert len(tail) == len(expected) and not problems, "\n".join(problems) or written
    for event in tail:
        assert audit.action_label(event.action) != event.action, f"name {event.action} (register)"


@pytest.mark.django_db(transaction=True)
def test_an_audit_event_outside_a_transaction_is_refused(proposer):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.record(actor=proposer, action="x", obj=proposer)
