"""Figures of the dashboard for the secretariat and the HQ.

The aggregation functions return plain data ((label, value) pairs or rows) and each runs a fixed
number of queries however many initiatives there are: GROUP BY in the database, never a query per
row. Only shared initiatives count (submitted at least once: drafts are the proposer's own).

`overview` turns that data into the charts of dashboard.charts.
"""

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from initiatives.models import Initiative
from plans import follow_up
from plans.models import PlanRevision, PlanYear, ProgressReport
from policies.models import Channel, Department, ExampleInitiative, PolicyEdition
from policies.names import city

from .charts import bar_chart, grouped_chart

TOP_DEPARTMENTS = 15
UNSELECTED = "未選択"
OTHERS = "その他"
CONSOLIDATED = Initiative.Status.CONSOLIDATED
# shared_initiatives() as seen from a policy's, a channel's or a department's side.
SHARED = Q(initiatives__submitted_at__isnull=False) & ~Q(initiatives__status=CONSOLIDATED)


def shared_initiatives():
    """Every initiative but drafts never submitted, and each idea once: proposals merged into
    another (統合済) are counted in the item they became."""
    return Initiative.objects.filter(submitted_at__isnull=False).exclude(status=CONSOLIDATED)


def policy_label(number, name):
    return f"方針{number} {name}"


# --- Aggregation (plain data) -----------------------------------------------------------------


def status_counts():
    """[(状態, 件数)] in the order of the workflow; states nobody is in are left out. 1 query."""
    counts = dict(
        shared_initiatives()
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [
        (label, counts[value]) for value, label in Initiative.Status.choices if counts.get(value)
    ]


def policy_counts(edition):
    """[(基本方針, 件数)]: every policy of the edition in force, then 未選択. 2 queries.

    A policy counts its own items and those filed under the earlier policies it continues
    (Policy.continues, two editions back); items under an earlier policy nothing continues are
    過去の版の方針. Where a revision split one policy in two, its earlier items count in both.
    """
    per_policy = dict(
        shared_initiatives()
        .order_by()
        .values("policy")
        .annotate(n=Count("pk"))
        .values_list("policy", "n")
    )
    rows, counted = [], set()
    if edition is not None:
        for p in edition.policies.order_by("number").select_related("continues"):
            ids = {p.pk, p.continues_id, p.continues and p.continues.continues_id} - {None}
            counted |= ids
            rows.append((policy_label(p.number, p.name), sum(per_policy.get(i, 0) for i in ids)))
    earlier = sum(n for pk, n in per_policy.items() if pk is not None and pk not in counted)
    if earlier:
        rows.append(("過去の版の方針", earlier))
    rows.append((UNSELECTED, per_policy.get(None, 0)))
    return rows


def channel_counts():
    """[(抽出経路, 件数)] for every channel, in its display order. 1 query."""
    channels = Channel.objects.order_by("order", "pk").annotate(
        n=Count("initiatives", filter=SHARED)
    )
    return [(c.name, c.n) for c in channels]


def department_counts(limit=TOP_DEPARTMENTS):
    """[(提案部署, 件数)]: the `limit` departments proposing most, then その他. 1 query.

    An idea several departments proposed (consolidated) counts for each of them, once each.
    """
    co_shared = Q(co_proposed__submitted_at__isnull=False) & ~Q(co_proposed__status=CONSOLIDATED)
    rows = (
        Department.objects.annotate(
            n=Count("initiatives", filter=SHARED, distinct=True)
            + Count("co_proposed", filter=co_shared, distinct=True)
        )
        .filter(n__gt=0)
        .select_related("parent")
        .order_by("-n", "order", "code")
    )
    pairs = [(d.full_name, d.n) for d in rows]
    if len(pairs) > limit:
        pairs = [*pairs[:limit], (OTHERS, sum(n for _, n in pairs[limit:]))]
    return pairs


EVALUATIONS = [(e.value, e.label) for e in ProgressReport.Evaluation]


def evaluation_counts():
    """[(年度, {評価: 件数})] of confirmed progress reports, oldest year first. 1 query.

    Only reports the secretariat has confirmed are official evaluations; every A-D key is present.
    """
    rows = (
        ProgressReport.objects.filter(status=ProgressReport.Status.CONFIRMED)
        .exclude(evaluation="")
        .order_by()
        .values("fiscal_year", "evaluation")
        .annotate(n=Count("pk"))
    )
    years = {}
    for r in rows:
        years.setdefault(r["fiscal_year"], dict.fromkeys(ProgressReport.Evaluation.values, 0))
        years[r["fiscal_year"]][r["evaluation"]] = r["n"]
    return sorted(years.items())


def department_led_counts(today):
    """[(記録の状況, 件数)] of the items departments carry out themselves. 3 queries."""
    due = follow_up.notes_due()
    overdue = sum(1 for d in due if d.is_overdue(today))
    first = sum(1 for d in due if d.last is None and not d.is_overdue(today))
    return [
        ("予定どおり記録している", len(due) - overdue - first),
        ("最初の記録の前", first),
        ("記録の予定日を過ぎている", overdue),
    ]


def current_plan_years():
    """PlanYears of the current revision of each placement (its highest revision number)."""
    latest = (
        PlanRevision.objects.filter(entry=OuterRef("revision__entry"))
        .order_by("-number")
        .values("number")[:1]
    )
    return PlanYear.objects.filter(revision__number=Subquery(latest))


def budget_by_year_and_policy(edition):
    """(series, rows): the planned budget per fiscal year and 基本方針. 2 queries.

    series is [(key, name)]: every policy of the edition in force, then others that occur
    (earlier editions' policies, 未選択). rows is [(年度, {key: 円})] with every key present.
    Amounts are of the current revision only; earlier revisions are history.
    """
    prefix = "revision__entry__initiative__policy"
    rows = (
        current_plan_years()
        .order_by()
        .values(
            "fiscal_year",
            f"{prefix}_id",
            f"{prefix}__number",
            f"{prefix}__name",
            f"{prefix}__edition_id",
            f"{prefix}__edition__title",
        )
        .annotate(total=Sum("amount"))
    )
    series = {}
    if edition is not None:
        for p in edition.policies.order_by("number"):
            series[p.pk] = (f"方針{p.number}", policy_label(p.number, p.name))
    extra, years = {}, {}
    for r in rows:
        pk = r[f"{prefix}_id"]
        if pk not in series and pk not in extra:
            if pk is None:
                extra[pk] = (UNSELECTED, UNSELECTED)
            else:
                number, name = r[f"{prefix}__number"], r[f"{prefix}__name"]
                extra[pk] = (
                    f"旧方針{number}",
                    f"{policy_label(number, name)}（{r[f'{prefix}__edition__title']}）",
                )
        years.setdefault(r["fiscal_year"], {})[pk] = r["total"]
    unselected = extra.pop(None, None)
    series.update(sorted(extra.items(), key=lambda item: item[1]))
    if unselected:
        series[None] = unselected
    out_series = list(series.values())
    out_rows = [
        (fy, {series[pk][0]: amounts.get(pk, 0) for pk in series})
        for fy, amounts in sorted(years.items())
    ]
    return out_series, out_rows


def unused_examples(edition):
    """取組例 of the edition in force that no shared, not withdrawn initiative lists, neither
    itself nor an example it continues (ExampleInitiative.continues, two editions back). 1 query."""
    if edition is None:
        return []
    listed = Initiative.examples.through.objects.filter(
        initiative__submitted_at__isnull=False
    ).exclude(initiative__status__in=(Initiative.Status.WITHDRAWN, CONSOLIDATED))
    return list(
        ExampleInitiative.objects.filter(policy__edition=edition)
        .exclude(Exists(listed.filter(exampleinitiative_id=OuterRef("pk"))))
        .exclude(Exists(listed.filter(exampleinitiative__continued_by=OuterRef("pk"))))
        .exclude(
            Exists(listed.filter(exampleinitiative__continued_by__continued_by=OuterRef("pk")))
        )
        .select_related("policy")
        .order_by("policy__number", "number")
    )


def overview():
    """Everything the dashboard page shows; a fixed number of queries."""
    edition = PolicyEdition.objects.in_force()
    series, budget_rows = budget_by_year_and_policy(edition)
    return {
        "edition": edition,
        "charts": [
            bar_chart(
                "status",
                "状態別の取組項目数",
                status_counts(),
                label_header="状態",
                note="件数が0の状態は省いています。",
            ),
            bar_chart(
                "policy",
                "基本方針別の取組項目数",
                policy_counts(edition),
                label_header="基本方針",
                note="適用中の方針の基本方針ごとに数えています。基本方針を選んでいないものは「未選択」です。",
            ),
            bar_chart(
                "channel", "抽出経路別の取組項目数", channel_counts(), label_header="抽出経路"
            ),
            bar_chart(
                "department",
                "提案部署別の取組項目数",
                department_counts(),
                label_header="提案部署",
                note=f"件数の多い{TOP_DEPARTMENTS}部署を示し、残りは「{OTHERS}」にまとめています。",
            ),
            grouped_chart(
                "evaluation",
                "年度別の評価の件数",
                EVALUATIONS,
                evaluation_counts(),
                label_header="年度",
                note=f"{city().secretariat}が確認した進捗報告の評価（A〜D）だけを数えています。",
            ),
            bar_chart(
                "department-led",
                "所管課推進の取組の進捗記録",
                department_led_counts(timezone.localdate()),
                label_header="記録の状況",
                note="実施計画に位置付けず担当課が進める取組を、進捗の記録の状況別に数えています。",
            ),
            grouped_chart(
                "budget",
                "年度別・基本方針別の予算額",
                series,
                budget_rows,
                label_header="年度",
                unit="yen",
                note="実施計画に位置付けた取組の、現行の計画（最新の改定）の年度別予算額の合計です。",
            ),
        ],
        "unused_examples": unused_examples(edition),
    }
