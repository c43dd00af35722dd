"""The layout of the dashboard's bar charts: templates/includes/bar_chart.html draws them as
inline SVG; widths and positions are computed here, so the template only prints numbers. Values
are formatted with the portal's own filters (`yen`, `fiscal_year`), the same text the table
beside each chart shows."""

import dataclasses

from core.templatetags.portal_tags import fiscal_year, yen

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
