"""Writes of the 実施計画 and of the PDCA follow-up: placement, revisions, reports, reminders.

Each is one transaction and writes its audit event through `core.audit.record`; an
initiative's own state changes go through the initiatives app's transition service.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts import roles
from accounts.permissions import require_secretariat
from core import audit
from core.notifications import absolute_url, notify
from initiatives import services as initiative_services
from initiatives.access import channels_for
from initiatives.models import MAX_YEN, Initiative
from initiatives.notifications import secretariat_staff
from initiatives.workflow import PLACEABLE
from policies.models import Channel, PolicyEdition

from . import queries, workflow
from .models import (
    Kpi,
    KpiActual,
    PlanEntry,
    PlanRevision,
    PlanYear,
    ProgressReport,
    ReportReminder,
)

S = Initiative.Status
R = ProgressReport.Status
REMIND_EVERY = datetime.timedelta(days=7)

audit.register(
    {
        "plan_entry.placed": "実施計画への位置付け",
        "plan_entry.revised": "計画の改定",
        "plan_entry.owner": "担当課の移管",
        "report.saved": "進捗報告の保存",
        "report.transition": "進捗報告の状態遷移",
        "report.reminded": "進捗報告の督促",
    }
)


class PlanError(initiative_services.TransitionError):
    """Refused plan or report input; the message is in Japanese."""


# --- Plan content -----------------------------------------------------------------------------


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


def _plan_values(years, kpis) -> dict:
    return {
        "years": [
            {k: audit.value(y.get(k)) for k in ("fiscal_year", "planned", "amount", "funding")}
            for y in sorted(years, key=lambda y: y["fiscal_year"])
        ],
        "kpis": [{k: audit.value(v) for k, v in kpi.items()} for kpi in kpis],
    }


@transaction.atomic
def place(initiative, *, actor, plan, owner, years, kpis, origin=PlanEntry.Origin.POLICY):
    """Place a decided (or department-led) initiative in a plan edition; freeze the baseline."""
    require_secretariat(actor)
    _check_years(plan, years)
    _check_kpis(kpis)
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    continuing = origin == PlanEntry.Origin.FORMER_ICT
    if continuing and locked.status != S.DRAFT:
        raise PlanError("旧計画からの継続登録は、登録用に作成した取組項目だけに使えます。")
    if not continuing and locked.status not in PLACEABLE:
        raise PlanError(
            f"「{locked.get_status_display()}」の取組項目は実施計画に位置付けられません（決定または所管課推進のものだけです）。"
        )
    if PlanEntry.objects.filter(initiative=locked, plan=plan).exists():
        raise PlanError(f"この取組項目は既に{plan.title}に位置付けられています。")
    entry = PlanEntry.objects.create(
        initiative=locked, plan=plan, owner=owner, origin=origin, placed_by=actor
    )
    _write_revision(entry, number=0, reason="", actor=actor, years=years, kpis=kpis)
    audit.record(
        actor=actor,
        action="plan_entry.placed",
        obj=entry,
        after={
            "initiative": locked.pk,
            "plan": plan.pk,
            "owner": owner.pk,
            "origin": origin,
            **_plan_values(years, kpis),
        },
    )
    initiative_services.transition(
        locked,
        to=S.PLANNED,
        actor=actor,
        comment=f"{plan.title}に位置付け" + ("（旧計画からの継続）" if continuing else ""),
        context={"plan": plan.pk, "entry": entry.pk},
        service="continue" if continuing else "plan",
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
    initiative = initiative_services.create_initiative(
        actor=actor,
        edition=edition,
        channel=channel,
        department=owner,
        values={"title": title.strip(), "content": content.strip()},
    )
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
    revision = _write_revision(
        entry, number=last.number + 1, reason=reason.strip(), actor=actor, years=years, kpis=kpis
    )
    audit.record(
        actor=actor,
        action="plan_entry.revised",
        obj=entry,
        after={"revision": revision.number, **_plan_values(years, kpis)},
        comment=revision.reason,
    )
    return revision


@transaction.atomic
def transfer_owner(department, *, successor, actor, reason):
    """Hand every plan entry `department` owns to `successor` (an April reorganisation)."""
    entries = list(PlanEntry.objects.select_for_update().filter(owner=department).order_by("pk"))
    for entry in entries:
        entry.owner = successor
        audit.record(
            actor=actor,
            action="plan_entry.owner",
            obj=entry,
            before={"owner": department.pk},
            after={"owner": successor.pk},
            comment=reason,
        )
    PlanEntry.objects.bulk_update(entries, ["owner"])
    return [e.pk for e in entries]


# --- Reports ----------------------------------------------------------------------------------

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
    valid_kpis = {k.pk for k in current.kpis.all()}
    for kpi, value in kpi_values.items():
        if kpi.pk not in valid_kpis:
            raise PlanError("計画にない指標です。")
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
            else "この操作は情報政策課だけが行えます。"
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
        f"{report.entry.owner.full_name}が{report.fiscal_year}年度の進捗報告を提出しました。\n"
        f"{absolute_url(report.get_absolute_url())}\n",
    )
    return report


@transaction.atomic
def review_report(report, *, actor, confirm, comment=""):
    """情報政策課 confirms a submitted report, or sends it back with a comment."""
    require_secretariat(actor)
    return report_transition(
        report, to=R.CONFIRMED if confirm else R.RETURNED, actor=actor, comment=comment
    )


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
    recipients = get_user_model().objects.filter(
        department_id=due.entry.owner_id, groups__name=roles.DX_PROMOTER, is_active=True
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
        [*recipients, due.entry.initiative.proposer],
        f"進捗報告の提出期限を過ぎています: {due.entry.initiative.title}",
        f"{due.fiscal_year}年度（{due.period_label}）の進捗報告の提出期限（{due.due_on}）を過ぎています。\n"
        f"{absolute_url(reverse('plans:reports_due'))}\n",
    )
