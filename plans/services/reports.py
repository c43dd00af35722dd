"""PDCA progress reports: writing, submitting and confirming them; reminders of overdue ones."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.permissions import require_secretariat
from core import audit
from core.notifications import notify
from initiatives.models import MAX_YEN
from initiatives.notifications import secretariat_staff
from policies.names import city

from .. import queries, workflow
from ..models import KpiActual, ProgressReport, ReportReminder
from .placement import PlanError

R = ProgressReport.Status
REMIND_EVERY = datetime.timedelta(days=7)

audit.register(
    {
        "report.saved": "進捗報告の保存",
        "report.transition": "進捗報告の状態遷移",
        "report.reminded": "進捗報告の督促",
    }
)


REPORT_FIELDS = (
    "done",
    "amount_spent",
    "evaluation",
    "progress_percent",
    "risk",
    "risk_note",
    "improvement",
)


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


def _locked_report(entry, fiscal_year, period):
    # order_by("pk"): the default ordering joins nullable tables, which FOR UPDATE refuses.
    return (
        ProgressReport.objects.select_for_update()
        .filter(entry=entry, fiscal_year=fiscal_year, period=period)
        .order_by("pk")
        .first()
    )


def _report_snapshot(report, kpi_values=None) -> dict:
    values = audit.snapshot(report, REPORT_FIELDS)
    if kpi_values is not None:
        values["kpis"] = {str(k.number): audit.value(v) for k, v in kpi_values.items()}
    return values


def _check_kpi_values(current, kpi_values):
    """Actuals name the current revision's KPIs and are not negative unless a KPI allows it."""
    valid_kpis = {k.pk: k for k in current.kpis.all()}
    for kpi, value in kpi_values.items():
        if kpi.pk not in valid_kpis:
            raise PlanError("計画にない指標です。")
        # The revision's own row, not the caller's object, says whether negatives are allowed.
        if value is not None and value < 0 and not valid_kpis[kpi.pk].allows_negative:
            raise PlanError(
                f"指標「{kpi.indicator}」（{kpi.unit}）の実績値は0以上で入力してください。"
            )


@transaction.atomic
def save_report(entry, *, actor, fiscal_year, period, values, kpi_values, expected_version=None):
    """Create or update the report of one period: {field: value}, {Kpi: Decimal}."""
    if not workflow.is_report_actor(actor, entry, workflow.OWNER):
        raise PermissionDenied("進捗報告は担当課の職員が作成します。")
    _, current = queries.baseline_and_current(queries.entry_with_plans(entry.pk))
    planned = queries.planned_text(current, fiscal_year)
    if planned is None:
        raise PlanError(f"{fiscal_year}年度は計画にない年度のため、報告できません。")
    if period not in queries.report_periods():
        raise PlanError("報告の期間が正しくありません。")
    _check_report_values(values)
    _check_kpi_values(current, kpi_values)
    report = _locked_report(entry, fiscal_year, period)
    if report is None:
        if expected_version:
            raise PlanError("この報告は見つかりません。もう一度開き直してください。")
        report = ProgressReport(
            entry=entry,
            fiscal_year=fiscal_year,
            period=period,
            plan_text=planned,
            updated_by=actor,
        )
        before = {}
    else:
        if not report.is_editable:
            raise PlanError("提出済・確認済の報告は変更できません。")
        if expected_version is not None and report.version != expected_version:
            raise PlanError(
                "この報告は、開いた後に他の人が更新しています。最新の内容を確認してください。"
            )
        before = _report_snapshot(report)
        report.version += 1
    for name in REPORT_FIELDS:
        setattr(report, name, values.get(name, getattr(report, name)))
    report.updated_by = actor
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise PlanError("同じ期間の報告が既にあります。") from exc
    for kpi, value in kpi_values.items():
        if value is None:
            KpiActual.objects.filter(report=report, kpi=kpi).delete()
        else:
            KpiActual.objects.update_or_create(report=report, kpi=kpi, defaults={"value": value})
    old, new = audit.changed(before, _report_snapshot(report, kpi_values))
    audit.record(actor=actor, action="report.saved", obj=report, before=old, after=new)
    return report


@transaction.atomic
def report_transition(report, *, to, actor, comment=""):
    """Move a report along the table of plans.workflow; audit it. Returns the locked report."""
    report = ProgressReport.objects.select_for_update().select_related("entry").get(pk=report.pk)
    rule = workflow.report_rule(report.status, to)
    if rule is None:
        verb = "提出" if to == R.SUBMITTED else "確認・差戻し"
        raise PlanError(f"「{report.get_status_display()}」の報告は{verb}できません。")
    if not workflow.is_report_actor(actor, report.entry, rule.actor):
        raise PermissionDenied(
            "進捗報告は担当課の職員が提出します。"
            if rule.actor == workflow.OWNER
            else f"この操作は{city().secretariat}だけが行えます。"
        )
    comment = (comment or "").strip()
    if rule.comment_required and not comment:
        raise PlanError("差し戻す理由を入力してください。")
    if to == R.SUBMITTED:
        missing = workflow.missing_for_submission(report)
        if missing:
            raise PlanError(f"提出する前に入力してください: {'、'.join(missing)}")
    source, report.status = report.status, to
    report.version += 1
    report.save(update_fields=["status", "version", "updated_at"])
    audit.record(
        actor=actor,
        action="report.transition",
        obj=report,
        before={"status": source},
        after={"status": to},
        comment=comment,
    )
    return report


@transaction.atomic
def submit_report(report, *, actor):
    report = report_transition(report, to=R.SUBMITTED, actor=actor)
    notify(
        secretariat_staff(),
        f"進捗報告の提出: {report.entry.initiative.title}",
        f"{report.entry.owner.full_name}が{report.fiscal_year}年度の進捗報告を提出しました。"
        "内容を確認して、確認済にするか差し戻してください。",
        url=report.get_absolute_url(),
    )
    return report


@transaction.atomic
def review_report(report, *, actor, confirm, comment=""):
    """The secretariat confirms a submitted report, or sends it back with a comment."""
    require_secretariat(actor)
    report = report_transition(
        report, to=R.CONFIRMED if confirm else R.RETURNED, actor=actor, comment=comment
    )
    title = report.entry.initiative.title
    if confirm:
        subject, text = f"進捗報告の確認: {title}", "進捗報告が確認済になりました。"
        url = report.get_absolute_url()
    else:
        subject = f"進捗報告の差戻し: {title}"
        text = f"進捗報告が差し戻されました。修正して再提出してください。\n理由: {comment.strip()}"
        url = reverse(
            "plans:report_edit", args=[report.entry_id, report.fiscal_year, report.period]
        )
    notify(
        queries.report_owners(report.entry),
        subject,
        f"{report.fiscal_year}年度（{report.get_period_display()}）の{text}",
        url=url,
    )
    return report


def send_reminders(today):
    """Mail the owning department about overdue reports, at most once a week per report."""
    sent = 0
    recent = {
        (r.entry_id, r.fiscal_year, r.period)
        for r in ReportReminder.objects.filter(sent_on__gt=today - REMIND_EVERY)
    }
    for due in queries.due_reports(today):
        key = (due.entry.pk, due.fiscal_year, due.period)
        if not due.is_overdue(today) or key in recent:
            continue
        try:
            _remind(due, today)
        except IntegrityError:
            continue
        sent += 1
    return sent


@transaction.atomic
def _remind(due, today):
    # Written first: of two servers running the job at once, one writes the row and sends,
    # the other hits the unique constraint and skips.
    reminder = ReportReminder.objects.create(
        entry=due.entry, fiscal_year=due.fiscal_year, period=due.period, sent_on=today
    )

    audit.record(
        actor=None,
        actor_name="システム",
        action="report.reminded",
        obj=due.entry,
        after={"fiscal_year": due.fiscal_year, "period": due.period, "due_on": due.due_on},
        context={"reminder": reminder.pk},
    )
    notify(
        queries.report_owners(due.entry),
        f"進捗報告の提出期限を過ぎています: {due.entry.initiative.title}",
        f"{due.fiscal_year}年度（{due.period_label}）の進捗報告の提出期限（{due.due_on}）を過ぎています。",
        url=reverse("plans:report_edit", args=[due.entry.pk, due.fiscal_year, due.period]),
    )
