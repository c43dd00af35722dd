"""A realistic city for the benchmark: 150 departments, 3,000 staff and up to 10,000 initiatives
in every state, with timelines, self-checks, reviews, meetings, plan entries and reports.

Rows are written with bulk_create (no change history rows: the benchmark measures reads).
"""

import datetime
import random
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.models import AuditEvent
from initiatives.models import Initiative, Milestone, SelfCheckAnswer
from plans.models import (
    ImplementationPlan,
    Kpi,
    PlanEntry,
    PlanRevision,
    PlanYear,
    ProgressReport,
    ReportSchedule,
)
from policies.models import (
    Body,
    Channel,
    ComprehensivePlan,
    Department,
    Measure,
    PolicyEdition,
)
from reviews.models import AgendaItem, ChecklistReview, ChecklistReviewAnswer, Decision, Meeting

S = Initiative.Status
TOPICS = [
    "道路",
    "子育て",
    "税",
    "窓口",
    "ごみ",
    "図書館",
    "福祉",
    "防災",
    "教育",
    "健康",
    "住民票",
    "公園",
]
ACTIONS = [
    "電子申請",
    "キャッシュレス決済",
    "AIチャットボット",
    "RPA",
    "オンライン相談",
    "ペーパーレス",
    "テレワーク",
    "電子決裁",
    "データ連携",
    "予約システム",
]
# How often each state occurs among 10,000 initiatives (years of a city's use).
STATE_WEIGHTS = {
    S.DRAFT: 6,
    S.SUBMITTED: 8,
    S.UNDER_REVIEW: 4,
    S.RETURNED: 2,
    S.DEPARTMENT_LED: 10,
    S.COUNCIL: 2,
    S.HQ_REVIEW: 2,
    S.DEFERRED: 1,
    S.DECIDED: 3,
    S.REJECTED: 4,
    S.PLANNED: 10,
    S.IN_PROGRESS: 25,
    S.COMPLETED: 15,
    S.CANCELLED: 3,
    S.WITHDRAWN: 5,
}
PASSWORD = "bench-password-2026"


def departments_and_staff(n_departments=150, n_staff=3000):
    """150 所属 (15 部 with 9 課 each) and 3,000 accounts."""
    if Department.objects.count() >= n_departments:
        return
    parents = Department.objects.bulk_create(
        Department(code=f"bench-bu-{i}", name=f"第{i}部", order=1000 + i * 10) for i in range(15)
    )
    Department.objects.bulk_create(
        Department(
            code=f"bench-ka-{i}-{j}", name=f"第{i}部第{j}課", parent=parent, order=1000 + i * 10 + j
        )
        for i, parent in enumerate(parents)
        for j in range(1, 10)
    )
    ka = list(Department.objects.filter(code__startswith="bench-ka-"))
    template = User(username="template")
    template.set_password(PASSWORD)
    users = User.objects.bulk_create(
        User(
            username=f"staff{n:04}",
            last_name=f"職員{n}",
            email=f"staff{n}@example.jp",
            department=ka[n % len(ka)],
            password=template.password,
            dx_promoter=n % 20 == 0,
            in_secretariat=n < 5,
        )
        for n in range(n_staff)
    )
    hq = Body.objects.get(kind=Body.Kind.HEADQUARTERS)
    through = User.bodies.through
    through.objects.bulk_create(through(user_id=u.pk, body_id=hq.pk) for u in users[5:10])


def reviewer():
    return User.objects.filter(in_secretariat=True).order_by("pk").first()


@transaction.atomic
def initiatives(target, seed=7):
    """Add initiatives until there are `target` of them."""
    rng = random.Random(seed + Initiative.objects.count())
    have = Initiative.objects.count()
    if have >= target:
        return
    edition = PolicyEdition.objects.in_force()
    policies = list(edition.policies.prefetch_related("examples"))
    items = list(edition.current_checklist().items.all())
    channels = list(Channel.objects.all())
    staff = list(User.objects.filter(username__startswith="staff").select_related("department"))
    secretary = reviewer()
    plan, _ = ImplementationPlan.objects.get_or_create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        start_fiscal_year=2024,
        end_fiscal_year=2028,
        defaults={"title": "令和6年度～令和10年度 実施計画"},
    )
    for fy in range(2024, 2028):
        ReportSchedule.objects.get_or_create(
            fiscal_year=fy, period="year", defaults={"due_on": datetime.date(fy + 1, 5, 31)}
        )
    states, weights = zip(*STATE_WEIGHTS.items(), strict=True)
    now = timezone.now()
    new = []
    for n in range(have, target):
        proposer = staff[rng.randrange(len(staff))]
        policy = policies[rng.randrange(len(policies))]
        status = rng.choices(states, weights)[0]
        topic, action = rng.choice(TOPICS), rng.choice(ACTIONS)
        submitted = (
            None if status in (S.DRAFT,) else now - datetime.timedelta(days=rng.randrange(1, 1400))
        )
        new.append(
            Initiative(
                edition=edition,
                title=f"{topic}分野における{action}の導入（{n}）",
                channel=rng.choice(channels),
                department=proposer.department,
                proposer=proposer,
                policy=policy,
                current_issues=f"{topic}の手続で{action}が使えず、窓口の待ち時間と職員の入力作業が多い。",
                content=f"{topic}の主要な手続に{action}を導入し、来庁せずに済むようにする。",
                effect_citizens="来庁不要になる。",
                effect_staff="入力作業が減る。",
                staff_hours_saved=rng.randrange(50, 3000),
                small_start_plan="1課で試行し、効果を見て広げる。",
                initial_cost=rng.randrange(0, 50) * 100_000,
                running_cost=rng.randrange(0, 20) * 50_000,
                funding_sources=["general"],
                security="LGWAN接続系で運用。",
                # Consolidated ones get their status with their target, below (a DB constraint).
                status=S.SUBMITTED if status == S.CONSOLIDATED else status,
                submitted_at=submitted,
                is_public=status in (S.IN_PROGRESS, S.COMPLETED) and n % 3 == 0,
                public_summary=f"{topic}の手続を{action}で便利にします。",
            )
        )
    consolidated = {n for n, i in enumerate(new) if rng.random() < 0.03 and i.status == S.SUBMITTED}
    created = Initiative.objects.bulk_create(new, batch_size=1000)
    anchors = [i for i in created if i.status in (S.IN_PROGRESS, S.PLANNED)] or created
    merged = [created[n] for n in sorted(consolidated)]
    for i in merged:
        i.status, i.consolidated_into = S.CONSOLIDATED, anchors[i.pk % len(anchors)]
    Initiative.objects.bulk_update(merged, ["status", "consolidated_into"])

    Milestone.objects.bulk_create(
        (
            Milestone(initiative=i, kind=k, target_fiscal_year=2026 + o, order=o)
            for i in created
            for o, k in enumerate(("budget", "launch"))
        ),
        batch_size=5000,
    )
    SelfCheckAnswer.objects.bulk_create(
        (SelfCheckAnswer(initiative=i, item=item, answer="ok") for i in created for item in items),
        batch_size=5000,
    )
    path = {
        S.SUBMITTED: [S.SUBMITTED],
        S.UNDER_REVIEW: [S.SUBMITTED, S.UNDER_REVIEW],
        S.RETURNED: [S.SUBMITTED, S.RETURNED],
        S.CONSOLIDATED: [S.SUBMITTED, S.CONSOLIDATED],
        S.DEPARTMENT_LED: [S.SUBMITTED, S.UNDER_REVIEW, S.DEPARTMENT_LED],
        S.COUNCIL: [S.SUBMITTED, S.UNDER_REVIEW, S.COUNCIL],
        S.HQ_REVIEW: [S.SUBMITTED, S.UNDER_REVIEW, S.COUNCIL, S.HQ_REVIEW],
        S.DEFERRED: [S.SUBMITTED, S.UNDER_REVIEW, S.COUNCIL, S.HQ_REVIEW, S.DEFERRED],
        S.DECIDED: [S.SUBMITTED, S.UNDER_REVIEW, S.COUNCIL, S.HQ_REVIEW, S.DECIDED],
        S.REJECTED: [S.SUBMITTED, S.UNDER_REVIEW, S.COUNCIL, S.HQ_REVIEW, S.REJECTED],
        S.PLANNED: [S.SUBMITTED, S.UNDER_REVIEW, S.COUNCIL, S.HQ_REVIEW, S.DECIDED, S.PLANNED],
        S.IN_PROGRESS: [
            S.SUBMITTED,
            S.UNDER_REVIEW,
            S.COUNCIL,
            S.HQ_REVIEW,
            S.DECIDED,
            S.PLANNED,
            S.IN_PROGRESS,
        ],
        S.COMPLETED: [S.SUBMITTED, S.UNDER_REVIEW, S.DEPARTMENT_LED, S.IN_PROGRESS, S.COMPLETED],
        S.CANCELLED: [S.SUBMITTED, S.UNDER_REVIEW, S.DEPARTMENT_LED, S.IN_PROGRESS, S.CANCELLED],
        S.WITHDRAWN: [S.SUBMITTED, S.WITHDRAWN],
    }
    events = []
    initiative_type = ContentType.objects.get_for_model(Initiative)
    for i in created:
        previous = S.DRAFT
        for step, state in enumerate(path.get(i.status, [])):
            actor = secretary if step else i.proposer
            events.append(
                AuditEvent(
                    actor=actor,
                    actor_name=actor.display_name,
                    action="initiative.transition",
                    content_type=initiative_type,
                    object_id=i.pk,
                    object_repr=i.title,
                    before={"status": previous},
                    after={"status": state},
                    comment="" if step == 0 else "確認しました",
                )
            )
            previous = state
    AuditEvent.objects.bulk_create(events, batch_size=5000)

    reviewed = [
        i for i in created if i.status not in (S.DRAFT, S.SUBMITTED, S.WITHDRAWN, S.RETURNED)
    ]
    checklist = edition.current_checklist()
    reviews = ChecklistReview.objects.bulk_create(
        (ChecklistReview(initiative=i, checklist=checklist, completed_at=now) for i in reviewed),
        batch_size=2000,
    )
    ChecklistReviewAnswer.objects.bulk_create(
        (
            ChecklistReviewAnswer(review=r, item=item, answer="ok", reviewer=secretary)
            for r in reviews
            for item in items
        ),
        batch_size=5000,
    )

    hq = Body.objects.get(kind="headquarters")
    decided = [
        i
        for i in created
        if i.status in (S.DECIDED, S.PLANNED, S.IN_PROGRESS, S.REJECTED, S.DEFERRED)
    ]
    start = Meeting.objects.filter(body=hq).count()
    meetings = Meeting.objects.bulk_create(
        Meeting(
            body=hq,
            number=start + k + 1,
            held_on=datetime.date(2024, 4, 1) + datetime.timedelta(days=30 * k),
            place="本庁舎",
            created_by=secretary,
        )
        for k in range(max(1, len(decided) // 40))
    )
    agenda = AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meetings[k % len(meetings)], initiative=i, order=k // len(meetings) + 1)
        for k, i in enumerate(decided)
    )
    outcome = {S.REJECTED: "rejected", S.DEFERRED: "deferred"}
    Decision.objects.bulk_create(
        Decision(
            agenda_item=a,
            outcome=outcome.get(a.initiative.status, "decided"),
            reason="審議の結果",
            recorded_by=secretary,
        )
        for a in agenda
    )

    placed = [i for i in created if i.status in (S.PLANNED, S.IN_PROGRESS, S.COMPLETED)]
    entries = PlanEntry.objects.bulk_create(
        PlanEntry(initiative=i, plan=plan, owner=i.department, placed_by=secretary) for i in placed
    )
    revisions = PlanRevision.objects.bulk_create(
        PlanRevision(entry=e, number=0, created_by=secretary) for e in entries
    )
    PlanYear.objects.bulk_create(
        (
            PlanYear(
                revision=r,
                fiscal_year=fy,
                planned="実施",
                amount=rng.randrange(1, 100) * 100_000,
                funding="一般財源",
            )
            for r in revisions
            for fy in (2025, 2026, 2027)
        ),
        batch_size=5000,
    )
    Kpi.objects.bulk_create(
        Kpi(
            revision=r,
            number=1,
            indicator="オンライン申請率",
            unit="％",
            baseline_value=Decimal(10),
            baseline_year=2024,
            target_value=Decimal(60),
            target_year=2027,
        )
        for r in revisions
    )
    ProgressReport.objects.bulk_create(
        (
            ProgressReport(
                entry=e,
                fiscal_year=fy,
                period="year",
                plan_text="実施",
                done="実施した",
                amount_spent=1_000_000,
                evaluation=rng.choice("ABBBCD"),
                progress_percent=rng.randrange(0, 101),
                status="confirmed",
                updated_by=secretary,
            )
            for e in entries
            for fy in (2025,)
        ),
        batch_size=5000,
    )
