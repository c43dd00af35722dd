"""Placing decided initiatives in a 実施計画 edition, and revising their plans."""

import datetime

from django.db import transaction

from accounts.permissions import require_secretariat
from core import audit
from core.notifications import notify
from initiatives import services as initiative_services
from initiatives.access import channels_for
from initiatives.models import MAX_YEN, Initiative
from initiatives.workflow import PLACEABLE
from policies.models import Channel, PolicyEdition

from .. import queries
from ..models import (
    Kpi,
    PlanEntry,
    PlanRevision,
    PlanYear,
    ProgressReport,
)

S = Initiative.Status
R = ProgressReport.Status
REMIND_EVERY = datetime.timedelta(days=7)

audit.register(
    {
        "plan_entry.placed": "実施計画への位置付け",
        "plan_entry.revised": "計画の改定",
        "plan_entry.owner": "担当課の移管",
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
        if not k.get("allows_negative") and min(k["baseline_value"], k["target_value"]) < 0:
            raise PlanError(
                f"指標{i}（{k['indicator']}）の基準値・目標値は0以上で入力してください"
                "（マイナスになりうる指標は「マイナスの値を認める」を選びます）。"
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
            allows_negative=bool(k.get("allows_negative")),
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
    _tell_the_owner(entry)
    return entry


def _tell_the_owner(entry):
    title = entry.initiative.title
    notify(
        queries.report_owners(entry),
        f"担当課になりました: {title}",
        f"{entry.owner.full_name}が{entry.plan.title}の「{title}」の担当課になりました。"
        "年度ごとに進捗報告（PDCA）を作成して提出してください。",
        url=entry.initiative.get_absolute_url(),
    )


@transaction.atomic
def register_continuing(*, actor, plan, owner, title, content, years, kpis):
    """An item of the former plan, registered straight into a plan edition."""
    require_secretariat(actor)
    channel = next(iter(channels_for(actor, Channel.objects.select_related("committee"))), None)
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
    for entry in entries:
        _tell_the_owner(entry)
    return [e.pk for e in entries]
