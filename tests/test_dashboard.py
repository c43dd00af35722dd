"""The dashboard of 情報政策課 and the HQ: who may see it, its figures, its charts and tables."""

from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import charts
from dashboard import figures as dashboard
from initiatives.models import Initiative
from plans.models import ImplementationPlan, ProgressReport
from plans.services import place, revise
from policies.models import (
    ComprehensivePlan,
    Department,
    ExampleInitiative,
    Measure,
    PolicyEdition,
)

from .factories import make_initiative

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


# --- Helpers ----------------------------------------------------------------------------------


class TableParser(HTMLParser):
    """{caption: [[cell text, ...], ...]} of every table, and the aria-labels of role=img."""

    def __init__(self):
        super().__init__()
        self.tables, self.images, self.titles = {}, [], []
        self._rows = self._row = self._cell = self._caption = None
        self._in_svg_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = ""
        elif tag == "tr" and self._rows is not None:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = ""
        elif tag == "svg" and attrs.get("role") == "img":
            self.images.append(attrs.get("aria-label", ""))
        elif tag == "title" and self.images:
            self._in_svg_title = True

    def handle_endtag(self, tag):
        if tag == "caption":
            self._current_caption, self._caption = self._caption.strip(), None
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._rows.append(self._row)
            self._row = None
        elif tag == "table":
            self.tables[self._current_caption] = self._rows
            self._rows = None
        elif tag == "title":
            self._in_svg_title = False

    def handle_data(self, data):
        if self._caption is not None:
            self._caption += data
        elif self._cell is not None:
            self._cell += data
        elif self._in_svg_title:
            self.titles.append(data)


def parse(response):
    parser = TableParser()
    parser.feed(response.content.decode())
    return parser


def table(parser, title):
    return parser.tables[f"{title}（表）"]


def body_rows(rows):
    """{row header: [cells]} of a table's rows after the header row."""
    return {row[0]: row[1:] for row in rows[1:]}


def make_plan():
    return ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        title="実施計画（令和8年度～令和10年度）",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )


def years(*amounts, start=2026):
    return [
        {"fiscal_year": start + i, "planned": "計画", "amount": amount}
        for i, amount in enumerate(amounts)
    ]


def placed(user, reviewer, plan, *amounts, **overrides):
    initiative = make_initiative(user, status="decided", **overrides)
    return place(
        initiative,
        actor=reviewer,
        plan=plan,
        owner=initiative.department,
        years=years(*amounts),
        kpis=[],
    )


def report(entry, fiscal_year, evaluation, user, status="confirmed"):
    return ProgressReport.objects.create(
        entry=entry,
        fiscal_year=fiscal_year,
        done="実施した",
        evaluation=evaluation,
        progress_percent=50,
        status=status,
        updated_by=user,
    )


@pytest.fixture
def dataset(proposer, outsider, reviewer):
    """A small city: 6 shared initiatives, a draft, two placements with reports."""
    plan = make_plan()
    make_initiative(proposer, status="submitted")  # 方針2, 市民課, 各部署の課題
    make_initiative(proposer, status="under_review", policy_number=1, channel="counter")
    make_initiative(reviewer, status="submitted", complete=False, title="方針なし")  # 未選択
    withdrawn = make_initiative(outsider, status="withdrawn", policy_number=3)
    make_initiative(outsider, policy_number=3)  # draft: not counted anywhere
    # Placed: 方針2 by 道路管理課, revised later; 方針1 by 市民課.
    first = placed(outsider, reviewer, plan, 1_000_000, 2_000_000)
    revise(
        first,
        actor=reviewer,
        reason="前倒しのため",
        years=years(1_500_000, 500_000, 700_000),
        kpis=[],
    )
    second = placed(proposer, reviewer, plan, 300_000, policy_number=1)
    report(first, 2026, "A", outsider)
    report(second, 2026, "A", proposer)
    report(first, 2027, "C", outsider, status="submitted")  # not yet official
    report(second, 2027, "D", proposer)
    return {"withdrawn": withdrawn, "first": first, "second": second}


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "status"),
    [("reviewer", 200), ("hq", 200), ("proposer", 403), ("outsider", 403), ("council", 403)],
)
def test_only_info_policy_and_hq_see_the_dashboard(client, request, user, status):
    client.force_login(request.getfixturevalue(user))
    assert client.get(reverse("dashboard:index")).status_code == status


def test_anonymous_is_sent_to_login(client, master_data):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_post_is_refused(client, reviewer):
    client.force_login(reviewer)
    assert client.post(URL).status_code == 405


# --- Figures ----------------------------------------------------------------------------------


def policy_names():
    edition = PolicyEdition.objects.in_force()
    return {p.number: dashboard.policy_label(p.number, p.name) for p in edition.policies.all()}


def test_counts_by_status_policy_channel_and_department(dataset):
    names = policy_names()
    assert dashboard.status_counts() == [
        ("提出済", 2),
        ("審査中", 1),
        ("実施計画登載", 2),
        ("取下げ", 1),
    ]
    assert dashboard.policy_counts(PolicyEdition.objects.in_force()) == [
        (names[1], 2),
        (names[2], 2),
        (names[3], 1),
        ("未選択", 1),
    ]
    assert dashboard.channel_counts() == [
        ("各部署の課題", 5),
        ("窓口の課題", 1),
        ("組織横断的な課題", 0),
    ]
    assert dashboard.department_counts() == [
        ("市民部 市民課", 3),
        ("都市整備部 道路管理課", 2),
        ("企画部 情報政策課", 1),
    ]


def test_evaluations_count_confirmed_reports_only(dataset):
    assert dashboard.evaluation_counts() == [
        (2026, {"A": 2, "B": 0, "C": 0, "D": 0}),
        (2027, {"A": 0, "B": 0, "C": 0, "D": 1}),
    ]


def test_budget_sums_the_current_revision_only(dataset):
    names = policy_names()
    series, rows = dashboard.budget_by_year_and_policy(PolicyEdition.objects.in_force())
    assert series == [("方針1", names[1]), ("方針2", names[2]), ("方針3", names[3])]
    assert rows == [
        (2026, {"方針1": 300_000, "方針2": 1_500_000, "方針3": 0}),
        (2027, {"方針1": 0, "方針2": 500_000, "方針3": 0}),
        (2028, {"方針1": 0, "方針2": 700_000, "方針3": 0}),
    ]


def test_examples_without_a_shared_initiative(dataset):
    edition = PolicyEdition.objects.in_force()
    first_of = {p.number: p.examples.order_by("number").first() for p in edition.policies.all()}
    unused = dashboard.unused_examples(edition)
    assert first_of[1] not in unused and first_of[2] not in unused
    # Only a withdrawn initiative and a draft list policy 3's first example.
    assert first_of[3] in unused
    assert len(unused) == ExampleInitiative.objects.filter(policy__edition=edition).count() - 2


def test_departments_beyond_the_top_15_are_others(proposer):
    parent = Department.objects.create(code="bu", name="テスト部")
    created = [make_initiative(proposer, status="submitted") for _ in range(20)]
    for i, initiative in enumerate(created[:17]):
        dept = Department.objects.create(code=f"ka-{i:02}", name=f"課{i:02}", parent=parent)
        Initiative.objects.filter(pk=initiative.pk).update(department=dept)
    pairs = dashboard.department_counts()
    assert len(pairs) == 16
    assert pairs[0] == ("市民部 市民課", 3)
    assert pairs[1] == ("テスト部 課00", 1)
    assert pairs[-1] == ("その他", 3)
    assert sum(n for _, n in pairs) == 20


def test_bar_widths_are_percentages_of_the_largest_value():
    chart = charts.bar_chart("x", "テスト", [("甲", 4), ("乙", 1), ("丙", 0)], label_header="項目")
    assert [b.percent for b in chart.bars] == [100.0, 25.0, 0.0]
    assert chart.bars[0].width == charts.VIEW_WIDTH
    assert chart.bars[0].inside and not chart.bars[1].inside
    assert chart.total_display == "5件"
    assert "甲 4件、乙 1件、丙 0件" in chart.summary


# --- The page ---------------------------------------------------------------------------------


def test_page_shows_each_chart_with_its_table(client, reviewer, dataset):
    client.force_login(reviewer)
    response = client.get(URL)
    html = response.content.decode()
    page = parse(response)
    names = policy_names()

    assert body_rows(table(page, "状態別の取組項目数")) == {
        "提出済": ["2件"],
        "審査中": ["1件"],
        "実施計画登載": ["2件"],
        "取下げ": ["1件"],
        "合計": ["6件"],
    }
    assert body_rows(table(page, "基本方針別の取組項目数"))["未選択"] == ["1件"]
    assert body_rows(table(page, "基本方針別の取組項目数"))[names[1]] == ["2件"]
    assert body_rows(table(page, "抽出経路別の取組項目数"))["窓口の課題"] == ["1件"]
    assert body_rows(table(page, "提案部署別の取組項目数"))["市民部 市民課"] == ["3件"]

    evaluations = table(page, "年度別の評価の件数")
    assert evaluations[0] == ["年度", "A 順調", "B おおむね順調", "C 遅れ", "D 大幅遅れ", "合計"]
    assert body_rows(evaluations) == {
        "令和8年度（2026年度）": ["2件", "0件", "0件", "0件", "2件"],
        "令和9年度（2027年度）": ["0件", "0件", "0件", "1件", "1件"],
    }

    budget = table(page, "年度別・基本方針別の予算額")
    assert budget[0] == ["年度", names[1], names[2], names[3], "合計"]
    assert body_rows(budget)["令和8年度（2026年度）"] == [
        "300,000円",
        "1,500,000円",
        "0円",
        "1,800,000円",
    ]
    assert "2,000,000円" not in html  # the baseline of the revised entry

    # Every chart is an image with a summary and a title; no scripts or inline styles.
    assert len(page.images) == 7
    assert all("の横棒グラフ。" in label for label in page.images)
    assert "実施計画登載 2件" in page.images[0]
    assert "年度別の評価の件数" in page.titles
    assert 'viewBox="0 0 400 ' in html and 'width="100%"' in html
    assert "<script" not in html and "style=" not in html

    section = html[html.index('id="examples-title"') :]
    edition = PolicyEdition.objects.in_force()
    assert edition.policies.get(number=3).examples.order_by("number").first().title in section
    assert edition.policies.get(number=2).examples.order_by("number").first().title not in section


def test_page_without_reports_or_plans_says_so(client, hq, proposer):
    make_initiative(proposer, status="submitted")
    client.force_login(hq)
    html = client.get(URL).content.decode()
    assert html.count("まだ集計できるデータがありません。") == 2


def test_query_count_does_not_grow_with_the_data(client, reviewer, proposer, outsider):
    plan = make_plan()
    make_initiative(proposer, status="submitted")
    make_initiative(outsider, status="under_review", policy_number=1)
    entry = placed(proposer, reviewer, plan, 100_000)
    report(entry, 2026, "B", proposer)
    client.force_login(reviewer)
    client.get(URL)  # warm the session and caches

    def count():
        cache.clear()  # the figures computed afresh (core.cache): their queries are counted
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(30):
        make_initiative([proposer, outsider][i % 2], status="submitted", policy_number=i % 3 + 1)
    for i in range(7):
        entry = placed(outsider, reviewer, plan, 100_000 * i, 50_000, policy_number=i % 3 + 1)
        if i % 2:
            revise(entry, actor=reviewer, reason="見直し", years=years(1, 2, 3), kpis=[])
        report(entry, 2026, "ABCD"[i % 4], outsider)
    assert Initiative.objects.filter(submitted_at__isnull=False).count() == 40
    assert count() == few, "the query count grew with the data"
