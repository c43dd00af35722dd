"""Figures of the dashboard for 情報政策課 and the HQ, and the layout of their bar charts.

The aggregation functions return plain data ((label, value) pairs or rows) and each runs a fixed
number of queries however many initiatives there are: GROUP BY in the database, never a query per
row. Only shared initiatives count (submitted at least once: drafts are the proposer's own).

The chart builders turn that data into `Chart`s that templates/includes/bar_chart.html draws as
inline SVG: widths and positions are computed here, so the template only prints numbers. Values
are formatted with the portal's own filters (`yen`, `fiscal_year`), the same text the table
beside each chart shows.
"""

import dataclasses

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum

from policies.models import Channel, ExampleInitiative, PolicyEdition
from policies.templatetags.portal_tags import fiscal_year, yen

from .models import Initiative, PlanRevision, PlanYear, ProgressReport

TOP_DEPARTMENTS = 15
UNSELECTED = "未選択"
OTHERS = "その他"


def shared_initiatives():
    """Every initiative but drafts never submitted."""
    return Initiative.objects.filter(submitted_at__isnull=False)


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

    Initiatives filed under a policy of an earlier edition are counted as 過去の版の方針.
    """
    totals = shared_initiatives().aggregate(
        unselected=Count("pk", filter=Q(policy__isnull=True)),
        earlier=Count("pk", filter=Q(policy__isnull=False) & ~Q(policy__edition=edition)),
    )
    rows = []
    if edition is not None:
        policies = edition.policies.order_by("number").annotate(
            n=Count("initiatives", filter=Q(initiatives__submitted_at__isnull=False))
        )
        rows = [(policy_label(p.number, p.name), p.n) for p in policies]
    if totals["earlier"]:
        rows.append(("過去の版の方針", totals["earlier"]))
    rows.append((UNSELECTED, totals["unselected"]))
    return rows


def channel_counts():
    """[(抽出経路, 件数)] for every channel, in its display order. 1 query."""
    channels = Channel.objects.order_by("order", "pk").annotate(
        n=Count("initiatives", filter=Q(initiatives__submitted_at__isnull=False))
    )
    return [(c.name, c.n) for c in channels]


def department_counts(limit=TOP_DEPARTMENTS):
    """[(提案部署, 件数)]: the `limit` departments proposing most, then その他. 1 query."""
    rows = (
        shared_initiatives()
        .order_by()
        .values("department_id", "department__name", "department__parent__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "department__order", "department__code")
    )
    pairs = [
        (
            " ".join(filter(None, [r["department__parent__name"], r["department__name"]])),
            r["n"],
        )
        for r in rows
    ]
    if len(pairs) > limit:
        pairs = [*pairs[:limit], (OTHERS, sum(n for _, n in pairs[limit:]))]
    return pairs


EVALUATIONS = [(e.value, e.label) for e in ProgressReport.Evaluation]


def evaluation_counts():
    """[(年度, {評価: 件数})] of confirmed progress reports, oldest year first. 1 query.

    Only reports 情報政策課 has confirmed are official evaluations; every A-D key is present.
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
    """取組例 of the edition in force that no shared, not withdrawn initiative lists. 1 query."""
    if edition is None:
        return []
    links = Initiative.examples.through.objects.filter(
        exampleinitiative_id=OuterRef("pk"), initiative__submitted_at__isnull=False
    ).exclude(initiative__status=Initiative.Status.WITHDRAWN)
    return list(
        ExampleInitiative.objects.filter(policy__edition=edition)
        .exclude(Exists(links))
        .select_related("policy")
        .order_by("policy__number", "number")
    )


# --- Charts -----------------------------------------------------------------------------------

# SVG user units. The chart scales to its container (viewBox, width 100%); CSS caps its width.
VIEW_WIDTH = 400
BAR_HEIGHT = 22
LABEL_GAP = 5  # between a label line and its bar
ROW_GAP = 12
KEY_WIDTH = 72  # the column of series keys in grouped charts
TEXT_PAD = 6
INSIDE_FROM = 50  # percent of the largest value from which the value is written inside the bar
LINE = 16  # height of a line of text (font-size 14)


def count_display(value):
    return f"{value:,}件"


FORMATS = {"count": count_display, "yen": yen}


@dataclasses.dataclass(frozen=True)
class Bar:
    label: str
    value: int
    percent: float  # of the chart's largest value
    display: str
    key: str = ""  # short label left of the bar, in grouped charts
    # Geometry in SVG user units.
    x: float = 0
    y: float = 0
    width: float = 0
    label_y: float = 0

    @property
    def inside(self):
        """Whether the value is written inside the bar (in white) rather than after it."""
        return self.percent >= INSIDE_FROM

    @property
    def text_x(self):
        edge = self.x + self.width
        return round(edge - TEXT_PAD if self.inside else edge + TEXT_PAD, 1)

    @property
    def text_y(self):
        return self.y + BAR_HEIGHT / 2 + 5

    @property
    def key_y(self):
        return self.text_y


@dataclasses.dataclass(frozen=True)
class Group:
    label: str
    bars: list
    label_y: float = 0
    total_display: str = ""


@dataclasses.dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    label_header: str  # heading of the table's first column
    value_header: str
    groups: list
    series: list = dataclasses.field(default_factory=list)  # [(key, name)] of grouped charts
    total_display: str = ""
    height: float = 0
    summary: str = ""
    note: str = ""

    view_width = VIEW_WIDTH
    bar_height = BAR_HEIGHT

    @property
    def grouped(self):
        return bool(self.series)

    @property
    def bars(self):
        return self.groups[0].bars if self.groups else []

    @property
    def has_bars(self):
        return any(group.bars for group in self.groups)

    @property
    def legend(self):
        """[(key, name)] explaining the short keys; "A 順調" is shown as A: 順調."""
        out = []
        for key, name in self.series:
            if key != name:
                out.append((key, name.removeprefix(f"{key} ")))
        return out


def _percent(value, largest):
    return round(value * 100 / largest, 1) if largest else 0.0


def bar_chart(slug, title, pairs, *, label_header, value_header="件数", unit="count", note=""):
    """A horizontal bar chart of [(label, value)]: each label on its own line above its bar."""
    fmt = FORMATS[unit]
    largest = max((v for _, v in pairs), default=0)
    bars, y = [], 0
    for label, value in pairs:
        percent = _percent(value, largest)
        label_y = y + LINE - 3
        bar_y = y + LINE + LABEL_GAP
        bars.append(
            Bar(
                label=label,
                value=value,
                percent=percent,
                display=fmt(value),
                y=bar_y,
                width=round(VIEW_WIDTH * percent / 100, 1),
                label_y=label_y,
            )
        )
        y = bar_y + BAR_HEIGHT + ROW_GAP
    total = sum(v for _, v in pairs)
    summary = f"{title}の横棒グラフ。" + "、".join(f"{b.label} {b.display}" for b in bars)
    return Chart(
        slug=slug,
        title=title,
        label_header=label_header,
        value_header=value_header,
        groups=[Group(label="", bars=bars)],
        total_display=fmt(total),
        height=max(y - ROW_GAP, 0),
        summary=summary + ("。" if bars else "。データはありません。"),
        note=note,
    )


def grouped_chart(slug, title, series, rows, *, label_header, unit="count", note=""):
    """Grouped horizontal bars: per row (a fiscal year) one bar per series, keyed on the left.

    series is [(key, name)], rows [(fiscal_year, {key: value})].
    """
    fmt = FORMATS[unit]
    largest = max((v for _, values in rows for v in values.values()), default=0)
    plot_width = VIEW_WIDTH - KEY_WIDTH
    groups, y = [], 0
    for fy, values in rows:
        label_y = y + LINE - 3
        y += LINE + LABEL_GAP
        bars = []
        for key, name in series:
            value = values.get(key, 0)
            percent = _percent(value, largest)
            bars.append(
                Bar(
                    label=name,
                    key=key,
                    value=value,
                    percent=percent,
                    display=fmt(value),
                    x=KEY_WIDTH,
                    y=y,
                    width=round(plot_width * percent / 100, 1),
                )
            )
            y += BAR_HEIGHT + 4
        groups.append(
            Group(
                label=fiscal_year(fy),
                bars=bars,
                label_y=label_y,
                total_display=fmt(sum(values.values())),
            )
        )
        y += ROW_GAP
    summary = f"{title}の横棒グラフ。" + "。".join(
        f"{g.label}: " + "、".join(f"{b.label} {b.display}" for b in g.bars) for g in groups
    )
    return Chart(
        slug=slug,
        title=title,
        label_header=label_header,
        value_header="合計",
        groups=groups,
        series=list(series),
        height=max(y - ROW_GAP, 0),
        summary=summary + ("。" if groups else "。データはありません。"),
        note=note,
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
                note="情報政策課が確認した進捗報告の評価（A〜D）だけを数えています。",
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
