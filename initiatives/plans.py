"""Services and selectors of 実施計画 placement and PDCA follow-up.

Writes are one transaction each; state changes of an initiative go through the transition
service, state changes of a report write a ReportEvent in the same transaction.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch

from accounts import roles
from policies.models import Channel, PolicyEdition

from . import notifications
from .access import channels_for
from .models import (
    MAX_YEN,
    Initiative,
    Kpi,
    KpiActual,
    PlanEntry,
    PlanRevision,
    PlanYear,
    ProgressReport,
    ReportEvent,
    ReportReminder,
    ReportSchedule,
)
from .services import TransitionError, transition

S = Initiative.Status
R = ProgressReport.Status
PLACEABLE = (S.DECIDED, S.DEPARTMENT_LED)
ACTIVE = (S.PLANNED, S.IN_PROGRESS)


class PlanError(TransitionError):
    """Refused plan or report input; the message is in Japanese."""


def require_secretariat(user):
    if not user.is_authenticated or not user.has_role(roles.INFO_POLICY):
        raise PermissionDenied("この操作は情報政策課だけが行えます。")


def report_periods():
    """The periods a fiscal year is reported in: the whole year, or two halves (setting)."""
    if settings.REPORT_PERIODS == "half":
        return (ReportSchedule.Period.FIRST_HALF, ReportSchedule.Period.SECOND_HALF)
    return (ReportSchedule.Period.YEAR,)


# --- Plan content ---------------------------------------------------------------------------


def _check_years(plan, years):
    if not years:
        raise PlanError("年度別計画を1年度以上入力してください。")
    seen = set()
    for row in years:
        fy = row["fiscal_year"]
        if fy in seen:
            raise PlanError(f"{fy}年度が重複しています。")
        seen.add(fy)
        if not plan.start_fiscal_year <= fy <= plan.end_fiscal_year:
            raise PlanError(
                f"{fy}年度は{plan.title}の期間（{plan.start_fiscal_year}〜{plan.end_fiscal_year}年度）外です。"
            )
        if row["amount"] is None or not 0 <= row["amount"] <= MAX_YEN:
            raise PlanError(f"{fy}年度の予算額は0円から1兆円までの金額で入力してください。")
        if not (row.get("planned") or "").strip():
            raise PlanError(f"{fy}年度の計画内容を入力してください。")


def _check_kpis(kpis):
    for i, k in enumerate(kpis, start=1):
        if not (k.get("indicator") or "").strip():
            raise PlanError(f"指標{i}の名称を入力してください。")
        if not (k.get("unit") or "").strip():
            raise PlanError(f"指標{i}（{k['indicator']}）の単位を入力してください。")
        for name in ("baseline_value", "baseline_year", "target_value", "target_year"):
            if k.get(name) is None:
                raise PlanError(
                    f"指標{i}（{k['indicator']}）の基準値・基準年度・目標値・目標年度を入力してください。"
                )


def _write_revision(entry, *, number, reason, actor, years, kpis):
    revision = PlanRevision.objects.create(
        entry=entry, number=number, reason=reason, created_by=actor
    )
    PlanYear.objects.bulk_create(
        PlanYear(
            revision=revision,
            fiscal_year=y["fiscal_year"],
            planned=y["planned"].strip(),
            amount=y["amount"],
            funding=(y.get("funding") or "").strip(),
        )
        for y in sorted(years, key=lambda y: y["fiscal_year"])
    )
    Kpi.objects.bulk_create(
        Kpi(
            revision=revision,
            number=i,
            indicator=k["indicator"].strip(),
            unit=k["unit"].strip(),
            baseline_value=k["baseline_value"],
            baseline_year=k["baseline_year"],
            target_value=k["target_value"],
            target_year=k["target_year"],
        )
        for i, k in enumerate(kpis, start=1)
    )
    return revision


@transaction.atomic
def place(initiative, *, actor, plan, owner, years, kpis, origin=PlanEntry.Origin.POLICY):
    """Place a decided (or department-led) initiative in a plan edition; freeze the baseline."""
    require_secretariat(actor)
    _check_years(plan, years)
    _check_kpis(kpis)
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if origin == PlanEntry.Origin.FORMER_ICT:
        target_rule = "continue"
        if locked.status != S.DRAFT:
            raise PlanError("旧計画からの継続登録は、登録用に作成した取組項目だけに使えます。")
    else:
        target_rule = "plan"
        if locked.status not in PLACEABLE:
            raise PlanError(
                f"「{locked.get_status_display()}」の取組項目は実施計画に位置付けられません（決定または所管課推進のものだけです）。"
            )
    if PlanEntry.objects.filter(initiative=locked, plan=plan).exists():
        raise PlanError(f"この取組項目は既に{plan.title}に位置付けられています。")
    entry = PlanEntry.objects.create(
        initiative=locked, plan=plan, owner=owner, origin=origin, placed_by=actor
    )
    _write_revision(entry, number=0, reason="", actor=actor, years=years, kpis=kpis)
    transition(
        locked,
        to=S.PLANNED,
        actor=actor,
        comment=f"{plan.title}に位置付け"
        + ("（旧計画からの継続）" if target_rule == "continue" else ""),
        data={"plan": plan.pk, "entry": entry.pk},
    )
    return entry


@transaction.atomic
def register_continuing(*, actor, plan, owner, title, content, years, kpis):
    """An item of the former ICT利活用推進計画, registered straight into a plan edition."""
    require_secretariat(actor)
    channel = next(iter(channels_for(actor, Channel.objects.all())), None)
    edition = PolicyEdition.objects.in_force()
    if channel is None or edition is None:
        raise PlanError("登録に使える抽出経路または適用中の方針がありません。")
    initiative = Initiative(
        edition=edition,
        title=title.strip(),
        content=content.strip(),
        channel=channel,
        department=owner,
        proposer=actor,
    )
    initiative._history_user = actor
    initiative.save()
    return place(
        initiative,
        actor=actor,
        plan=plan,
        owner=owner,
        years=years,
        kpis=kpis,
        origin=PlanEntry.Origin.FORMER_ICT,
    )


@transaction.atomic
def revise(entry, *, actor, reason, years, kpis):
    """A new revision of the plan; the baseline and earlier revisions stay as they were."""
    require_secretariat(actor)
    if not (reason or "").strip():
        raise PlanError("計画を改定する理由を入力してください。")
    _check_years(entry.plan, years)
    _check_kpis(kpis)
    entry = PlanEntry.objects.select_for_update().get(pk=entry.pk)
    last = entry.revisions.order_by("-number").first()
    return _write_revision(
        entry, number=last.number + 1, reason=reason.strip(), actor=actor, years=years, kpis=kpis
    )


def entries_with_plans(queryset):
    """Entries with every revision's years and KPIs prefetched (a fixed number of queries)."""
    return queryset.select_related(
        "initiative", "initiative__policy", "owner", "owner__parent", "plan"
    ).prefetch_related(
        Prefetch(
            "revisions",
            queryset=PlanRevision.objects.order_by("number").prefetch_related(
                Prefetch("years", queryset=PlanYear.objects.order_by("fiscal_year")),
                Prefetch("kpis", queryset=Kpi.objects.order_by("number")),
            ),
        )
    )


def baseline_and_current(entry):
    """(baseline, current) revisions of a prefetched entry."""
    revisions = list(entry.revisions.all())
    return revisions[0], revisions[-1]


def comparison(baseline, current):
    """Rows of years and KPIs, current beside baseline, over the union of both (no queries on
    a prefetched entry): [(fiscal_year, current PlanYear | None, baseline PlanYear | None)] and
    [(number, current Kpi | None, baseline Kpi | None)]."""

    def pair(key, now, then):
        now, then = {key(x): x for x in now}, {key(x): x for x in then}
        return [(k, now.get(k), then.get(k)) for k in sorted(now.keys() | then.keys())]

    return (
        pair(lambda y: y.fiscal_year, current.years.all(), baseline.years.all()),
        pair(lambda k: k.number, current.kpis.all(), baseline.kpis.all()),
    )


def decimal_text(value):
    """12.50 -> "12.5", 600.00 -> "600"."""
    return "" if value is None else format(value.normalize(), "f")


# --- Reports ----------------------------------------------------------------------------------


def can_write_report(user, entry):
    """Members of the owning department write its reports."""
    return user.is_authenticated and user.is_active and user.department_id == entry.owner_id


REPORT_FIELDS = (
    "done",
    "amount_spent",
    "evaluation",
    "progress_percent",
    "risk",
    "risk_note",
    "improvement",
)


def _event(report, actor, source, comment=""):
    ReportEvent.objects.create(
        report=report,
        actor=actor,
        actor_name=actor.display_name,
        from_status=source,
        to_status=report.status,
        comment=comment,
    )


@transaction.atomic
def save_report(entry, *, actor, fiscal_year, period, values, kpi_values, expected_version=None):
    """Create or update the report of one period: {field: value}, {Kpi: Decimal}."""
    if not can_write_report(actor, entry):
        raise PermissionDenied("進捗報告は担当課の職員が作成します。")
    _, current = baseline_and_current(
        entries_with_plans(PlanEntry.objects.filter(pk=entry.pk)).get()
    )
    years = {y.fiscal_year: y for y in current.years.all()}
    if fiscal_year not in years:
        raise PlanError(f"{fiscal_year}年度は計画にない年度のため、報告できません。")
    if period not in report_periods():
        raise PlanError("報告の期間が正しくありません。")
    _check_report_values(values)
    # order_by("pk"): the default ordering joins nullable tables, which FOR UPDATE refuses.
    report = (
        ProgressReport.objects.select_for_update()
        .filter(entry=entry, fiscal_year=fiscal_year, period=period)
        .order_by("pk")
        .first()
    )
    if report is None:
        if expected_version:
            raise PlanError("この報告は見つかりません。もう一度開き直してください。")
        report = ProgressReport(
            entry=entry,
            fiscal_year=fiscal_year,
            period=period,
            plan_text=years[fiscal_year].planned,
            updated_by=actor,
        )
    else:
        if report.status not in (R.DRAFT, R.RETURNED):
            raise PlanError("提出済・確認済の報告は変更できません。")
        if expected_version is not None and report.version != expected_version:
            raise PlanError(
                "この報告は、開いた後に他の人が更新しています。最新の内容を確認してください。"
            )
        report.version += 1
    for name in REPORT_FIELDS:
        setattr(report, name, values.get(name, getattr(report, name)))
    report.updated_by = actor
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise PlanError("同じ期間の報告が既にあります。") from exc
    valid_kpis = {k.pk for k in current.kpis.all()}
    for kpi, value in kpi_values.items():
        if kpi.pk not in valid_kpis:
            raise PlanError("計画にない指標です。")
        if value is None:
            KpiActual.objects.filter(report=report, kpi=kpi).delete()
        else:
            KpiActual.objects.update_or_create(report=report, kpi=kpi, defaults={"value": value})
    return report


def _check_report_values(values):
    amount = values.get("amount_spent")
    if amount is not None and not 0 <= amount <= MAX_YEN:
        raise PlanError("執行額は0円から1兆円までの金額で入力してください。")
    progress = values.get("progress_percent")
    if progress is not None and not 0 <= progress <= 100:
        raise PlanError("進捗率は0から100までの整数で入力してください。")
    if values.get("evaluation", "") not in ("", *ProgressReport.Evaluation.values):
        raise PlanError("評価はA・B・C・Dのいずれかで入力してください。")
    if values.get("risk", "") not in ("", *ProgressReport.Risk.values):
        raise PlanError("リスクは低・中・高のいずれかで入力してください。")


@transaction.atomic
def submit_report(report, *, actor):
    report = ProgressReport.objects.select_for_update().select_related("entry").get(pk=report.pk)
    if not can_write_report(actor, report.entry):
        raise PermissionDenied("進捗報告は担当課の職員が提出します。")
    if report.status not in (R.DRAFT, R.RETURNED):
        raise PlanError(f"「{report.get_status_display()}」の報告は提出できません。")
    missing = [
        label
        for name, label in (
            ("done", "実績"),
            ("evaluation", "評価"),
            ("progress_percent", "進捗率"),
        )
        if getattr(report, name) in (None, "")
    ]
    if missing:
        raise PlanError(f"提出する前に入力してください: {'、'.join(missing)}")
    source, report.status = report.status, R.SUBMITTED
    report.version += 1
    report.save(update_fields=["status", "version", "updated_at"])
    _event(report, actor, source)
    notifications.notify(
        notifications.info_policy_staff(),
        f"進捗報告の提出: {report.entry.initiative.title}",
        f"{report.entry.owner.full_name}が{report.fiscal_year}年度の進捗報告を提出しました。\n"
        f"{settings.PORTAL_URL.rstrip('/')}{report.get_absolute_url()}\n",
    )
    return report


@transaction.atomic
def review_report(report, *, actor, confirm, comment=""):
    """情報政策課 confirms a submitted report, or sends it back with a comment."""
    require_secretariat(actor)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.status != R.SUBMITTED:
        raise PlanError(f"「{report.get_status_display()}」の報告は確認・差戻しできません。")
    if not confirm and not (comment or "").strip():
        raise PlanError("差し戻す理由を入力してください。")
    source = report.status
    report.status = R.CONFIRMED if confirm else R.RETURNED
    report.version += 1
    report.save(update_fields=["status", "version", "updated_at"])
    _event(report, actor, source, (comment or "").strip())
    return report


# --- Due and overdue ----------------------------------------------------------------------------


@dataclasses.dataclass
class DueReport:
    entry: PlanEntry
    fiscal_year: int
    period: str
    due_on: datetime.date
    report: ProgressReport | None

    def is_overdue(self, today):
        return self.due_on < today

    @property
    def period_label(self):
        return ReportSchedule.Period(self.period).label


def due_reports(today, *, department=None, include_future=False):
    """Reports not yet submitted whose due date has come or is the next one, oldest first.

    A report is due for every fiscal year the entry's current plan has, once that year has a
    due date in ReportSchedule. Four queries however many entries there are.
    """
    entries = PlanEntry.objects.filter(initiative__status__in=ACTIVE)
    if department is not None:
        entries = entries.filter(owner=department)
    entries = list(entries_with_plans(entries))
    schedules = {(s.fiscal_year, s.period): s.due_on for s in ReportSchedule.objects.all()}
    reports = {
        (r.entry_id, r.fiscal_year, r.period): r
        for r in ProgressReport.objects.filter(entry__in=[e.pk for e in entries])
    }
    out = []
    for entry in entries:
        _, current = baseline_and_current(entry)
        for year in current.years.all():
            for period in report_periods():
                due_on = schedules.get((year.fiscal_year, period))
                if due_on is None:
                    continue
                report = reports.get((entry.pk, year.fiscal_year, period))
                if report is not None and report.status in (R.SUBMITTED, R.CONFIRMED):
                    continue
                if not include_future and due_on > today + datetime.timedelta(days=60):
                    continue
                out.append(DueReport(entry, year.fiscal_year, period, due_on, report))
    out.sort(key=lambda d: (d.due_on, d.entry.owner.order, d.entry.pk))
    return out


def send_reminders(today):
    """Mail the owning department about overdue reports, at most once a week per report."""
    sent = 0
    recent = {
        (r.entry_id, r.fiscal_year, r.period)
        for r in ReportReminder.objects.filter(sent_on__gt=today - datetime.timedelta(days=7))
    }
    User = get_user_model()
    for due in due_reports(today):
        key = (due.entry.pk, due.fiscal_year, due.period)
        if not due.is_overdue(today) or key in recent:
            continue
        try:
            with transaction.atomic():
                # Written first: of two servers running the job at once, one writes the row
                # and sends, the other hits the unique constraint and skips.
                ReportReminder.objects.create(
                    entry=due.entry, fiscal_year=due.fiscal_year, period=due.period, sent_on=today
                )
                recipients = User.objects.filter(
                    department_id=due.entry.owner_id,
                    groups__name=roles.DX_PROMOTER,
                    is_active=True,
                )
                notifications.notify(
                    [*recipients, due.entry.initiative.proposer],
                    f"進捗報告の提出期限を過ぎています: {due.entry.initiative.title}",
                    f"{due.fiscal_year}年度（{due.period_label}）の進捗報告の提出期限（{due.due_on}）を過ぎています。\n"
                    f"{settings.PORTAL_URL.rstrip('/')}/initiatives/reports/due/\n",
                )
        except IntegrityError:
            continue
        sent += 1
    return sent


def parse_decimal(value):
    return None if value in (None, "") else Decimal(str(value))
