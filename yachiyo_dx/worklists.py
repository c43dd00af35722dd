"""What waits for the signed-in person, by what they do: one row per kind of work, with how
many and a link to the page where the work is done.

Every role's hand-off ends here: what one person sends (a submission, a report, a decision)
shows on the home page of the person who acts next. A fixed number of queries per role.
"""

import dataclasses

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from core import cache
from initiatives.models import Initiative
from initiatives.workflow import INBOX_STATES
from plans import follow_up
from plans import queries as plan_queries
from plans.models import ProgressReport
from policies.names import city
from reviews import queries as review_queries

S = Initiative.Status
R = ProgressReport.Status


@dataclasses.dataclass(frozen=True)
class Work:
    label: str
    count: int
    url: str
    urgent: bool = False  # past its date: shown first in its group, and marked
    group: str = ""  # the heading it is listed under


def _url(name, query="", fragment=""):
    return reverse(name) + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


def _own_proposals(user):
    waiting = (S.DRAFT, S.RETURNED)
    owned = Q(proposer=user)
    if user.is_dx_promoter:
        # The department's co-led ones by id, read first: an OR across the join would make the
        # database read every draft and returned item of the city (17 ms at 100,000; 1 ms so).
        co_led = Initiative.co_departments.through.objects.filter(
            department_id=user.department_id, initiative__status__in=waiting
        ).values_list("initiative_id", flat=True)
        owned |= Q(department_id=user.department_id) | Q(pk__in=list(co_led))
    mine = "initiatives:department" if user.is_dx_promoter else "initiatives:mine"
    # Only this person's (or department's) drafts and returned ones are read, by the indexes on
    # the proposer and the department, not every initiative.
    counts = Initiative.objects.filter(owned, status__in=waiting).aggregate(
        drafts=Count("pk", filter=Q(status=S.DRAFT)),
        returned=Count("pk", filter=Q(status=S.RETURNED)),
    )
    return [
        Work("書きかけの下書き", counts["drafts"], _url(mine, "status=draft")),
        Work("差し戻されて修正が必要な提案", counts["returned"], _url(mine, "status=returned")),
    ]


@dataclasses.dataclass(frozen=True)
class _NoteDue:
    """A department-led item's next note, with what says who writes it (follow_up.can_write_note
    reads only these two ids), small enough to keep in the shared cache."""

    proposer_id: int
    department_id: int
    overdue: bool


def _department_figures(department, today):
    """The department's follow-up as counts, the same for everyone in it. Reading the plans
    behind them costs far more than the page around them, so it is computed once per department,
    day and change of the data (core.cache)."""
    reports = plan_queries.due_reports(today, department=department)
    return {
        "overdue": sum(1 for d in reports if d.is_overdue(today)),
        "soon": sum(1 for d in reports if not d.is_overdue(today)),
        "returned": ProgressReport.objects.filter(
            entry__owner=department, status=R.RETURNED
        ).count(),
        "notes": [
            _NoteDue(d.initiative.proposer_id, d.initiative.department_id, d.is_overdue(today))
            for d in follow_up.notes_due(department=department)
            if d.due_on <= today + plan_queries.DUE_HORIZON
        ],
    }


def _department_follow_up(user, today):
    """The department's reports to write or put right, and its department-led items' notes."""
    department = user.department
    figures = cache.shared(
        f"worklist:department:{department.pk}:{today}",
        lambda: _department_figures(department, today),
    )
    due = _url("plans:reports_due", f"department={department.pk}")
    notes = [n for n in figures["notes"] if follow_up.can_write_note(user, n)]
    rows = [
        Work("提出期限を過ぎた進捗報告", figures["overdue"], due + "#overdue", urgent=True),
        Work("提出期限が近い進捗報告", figures["soon"], due + "#reports"),
        Work("差し戻された進捗報告", figures["returned"], due + "#reports"),
        Work(
            "記録の時期が来た所管課推進の取組",
            len(notes),
            due + "#notes",
            urgent=any(n.overdue for n in notes),
        ),
    ]
    # The department's DX推進員 answers for its follow-up, so sees it even when nothing waits;
    # everyone else only when something does.
    return rows if user.is_dx_promoter else [w for w in rows if w.count]


def _secretariat(today):
    """The secretariat's part of every hand-off: what was sent to it, what it sends on."""
    counts = Initiative.objects.aggregate(
        inbox=Count("pk", filter=Q(status__in=INBOX_STATES)),
        decided=Count("pk", filter=Q(status=S.DECIDED)),
    )
    overdue = sum(1 for d in plan_queries.due_reports(today) if d.is_overdue(today))
    notes_late = sum(1 for d in follow_up.notes_due() if d.is_overdue(today))
    due = _url("plans:reports_due")
    return [
        Work("取りまとめ・審査を待つ提案", counts["inbox"], _url("reviews:inbox")),
        Work(
            "議題に載っていない付議・審議待ちの取組",
            review_queries.awaiting_agenda().count(),
            _url("reviews:meetings", fragment="unscheduled"),
        ),
        Work(
            "決定済で実施計画に未登載の取組",
            counts["decided"],
            _url("initiatives:list", f"status={S.DECIDED}"),
        ),
        Work(
            "確認を待つ進捗報告",
            ProgressReport.objects.filter(status=R.SUBMITTED).count(),
            due + "#submitted",
        ),
        Work("提出期限を過ぎた進捗報告（全課）", overdue, due + "#overdue", urgent=True),
        Work(
            "記録の予定日を過ぎた所管課推進の取組（全課）",
            notes_late,
            due + "#notes-overdue",
            urgent=True,
        ),
    ]


def _bodies(user, today):
    """Agenda items of meetings already held whose opinion or decision this person records:
    counted per body once per change of the data (core.cache), then summed over this person's
    bodies, which role_names has read already."""
    names = city()
    per_body = cache.shared(
        f"worklist:unrecorded:{today}", lambda: review_queries.unrecorded_by_body(today)
    )
    if not user.is_secretariat:
        per_body = {c: n for c, n in per_body.items() if user.has_role(roles.body_role(c))}
    opinions = sum(n for n, _ in per_body.values())
    decisions = sum(n for _, n in per_body.values())
    rows = []
    meetings = _url("reviews:meetings")
    if user.may_record_opinions and names.opinion_step:
        label = f"{names.advisory_short}の意見・提言が未記録の議題"
        rows.append(Work(label, opinions, meetings))
    if user.may_record_decisions:
        label = f"{names.decision_short}の決定が未記録の議題"
        rows.append(Work(label, decisions, meetings))
    return rows


def worklist(user, today=None) -> list[Work]:
    """The rows of this person's worklist, by group; in each group the late ones first."""
    today = today or timezone.localdate()
    groups = []
    if not user.is_external:
        groups.append(("提案", _own_proposals(user)))
        groups.append(
            (f"{user.department.name}の進捗報告・記録", _department_follow_up(user, today))
        )
    if user.is_secretariat:
        # The same for every member of the secretariat: computed once per change of the data.
        rows = cache.shared(f"worklist:secretariat:{today}", lambda: _secretariat(today))
        groups.append((f"{city().secretariat}の仕事", rows))
    groups.append(("会議の記録", _bodies(user, today)))
    return [
        dataclasses.replace(w, group=title)
        for title, rows in groups
        for w in sorted(rows, key=lambda w: not (w.urgent and w.count))
    ]
