"""Plan-and-report journey in a real Chromium: 情報政策課 places a decided initiative in an
implementation-plan edition with two years and a KPI; the owning department files the first
year's report (evaluation B); 情報政策課 confirms it and publishes the initiative; a citizen
reads its progress on a phone-sized screen without logging in."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from plans.models import ImplementationPlan
from policies.models import ComprehensivePlan, Measure

from ..factories import make_initiative

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "AI議事録作成支援"
PLAN_TITLE = "令和8年度～令和10年度 実施計画"
OWNER = "市民部 市民課"
FY2026 = "令和8年度（2026年度）"
FY2027 = "令和9年度（2027年度）"
FY2025 = "令和7年度（2025年度）"
FY2028 = "令和10年度（2028年度）"
PLAN_2026 = "音声認識ツールを市民課の会議で試行する。"
PLAN_2027 = "試行の結果を踏まえて全庁に展開する。"
INDICATOR = "議事録作成にかかる時間"
DONE = "市民課の定例会議12回で試行し、議事録案を自動作成した。"
SUMMARY = "会議の録音から、AIが議事録の下書きを自動で作ります。職員が書き起こしにかける時間を減らし、その分を窓口での市民対応に充てます。"
# Text that stays inside the city hall: never on the citizens' pages.
INTERNAL = [
    "窓口での紙の申請が多い。",  # 現状と課題 (factories.complete_fields)
    "入力作業が減る。",  # 職員への効果
    "3,000,000",  # 提案時の概算費用
    "LGWAN",  # セキュリティ上の考慮
    DONE,  # 実績 of the report
    "話者の識別精度",  # risk note
    "内部確認メモ",  # 情報政策課's comment on confirming
]
STAFF_NAMES = ["有栖", "井上", "alice", "iago"]


@pytest.fixture
def new_page(browser, browser_context_args):
    """A page in a fresh browser context (its own cookies: another person at another desk)."""
    contexts = []

    def make(**overrides):
        context = browser.new_context(**{**browser_context_args, **overrides})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def plan_edition(master_data):
    return ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        title=PLAN_TITLE,
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )


def assert_fits_phone(page):
    width = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert width["scroll"] <= width["inner"], f"horizontal overflow on {page.url}: {width}"


def assert_nothing_internal(page):
    text = page.locator("body").inner_text()
    for name in STAFF_NAMES:
        assert name not in text, f"staff name {name!r} on {page.url}"
    for phrase in INTERNAL:
        assert phrase not in text, f"internal text {phrase!r} on {page.url}"


def test_place_report_confirm_publish_and_read_on_a_phone(
    page, new_page, live_server, login, plan_edition, proposer, reviewer, tmp_path
):
    url = live_server.url
    initiative = make_initiative(proposer, status="decided", title=TITLE)
    detail_url = f"{url}/initiatives/{initiative.pk}/"

    # 1. 情報政策課 places the decided initiative in the plan with two years and a KPI.
    login(page, reviewer)
    page.goto(detail_url)
    page.get_by_role("link", name="実施計画に位置付ける").click()
    expect(page).to_have_url(f"{url}/initiatives/{initiative.pk}/place/")
    expect(page.get_by_role("heading", level=1)).to_have_text("実施計画に位置付ける")
    page.get_by_label("実施計画").select_option(label=PLAN_TITLE)
    expect(page.get_by_label("担当課")).to_have_value(str(proposer.department_id))
    page.get_by_label("担当課").select_option(label=OWNER)
    for n, (year, planned, amount) in enumerate(
        [(FY2026, PLAN_2026, "1200000"), (FY2027, PLAN_2027, "3500000")], start=1
    ):
        row = page.get_by_role("group", name=f"年度別計画 {n}")
        row.get_by_label("年度", exact=True).select_option(label=year)
        row.get_by_label("計画内容").fill(planned)
        row.get_by_label("予算額（円）").fill(amount)
    kpi = page.get_by_role("group", name="指標 1")
    kpi.get_by_label("指標", exact=True).fill(INDICATOR)
    kpi.get_by_label("単位").fill("時間")
    kpi.get_by_label("基準値").fill("600")
    kpi.get_by_label("基準年度").select_option(label=FY2025)
    kpi.get_by_label("目標値").fill("200")
    kpi.get_by_label("目標年度").select_option(label=FY2028)
    page.get_by_role("button", name="保存する").click()

    expect(page).to_have_url(detail_url)
    expect(page.get_by_text("実施計画に位置付けました。")).to_be_visible()
    expect(page.locator("h1 + p .badge")).to_have_text("実施計画登載")
    plan = page.locator("section", has=page.get_by_role("heading", name=PLAN_TITLE))
    expect(plan).to_contain_text(f"担当課 {OWNER}")
    years = plan.get_by_role("table", name="年度別計画と予算")
    expect(years.get_by_role("row", name=FY2026)).to_contain_text(PLAN_2026)
    expect(years.get_by_role("row", name=FY2026)).to_contain_text("1,200,000円")
    expect(years.get_by_role("row", name=FY2027)).to_contain_text(PLAN_2027)
    expect(years.get_by_role("row", name=FY2027)).to_contain_text("3,500,000円")
    kpis = plan.get_by_role("table", name="指標（KPI）")
    kpi_row = kpis.get_by_role("row", name=INDICATOR)
    expect(kpi_row).to_contain_text("600（令和7年度")
    expect(kpi_row).to_contain_text("200（令和10年度")

    # 2. 市民課 files the first year's report (evaluation B) and submits it.
    alice = new_page()
    login(alice, proposer)
    alice.goto(detail_url)
    alice.get_by_role("link", name=FY2026, exact=True).click()
    expect(alice.get_by_role("heading", level=1)).to_have_text(f"進捗報告（{FY2026} 通年）")
    expect(alice.get_by_text(PLAN_2026)).to_be_visible()
    alice.get_by_label("実績（Do）").fill(DONE)
    alice.get_by_label("執行額").fill("1150000")
    alice.get_by_role("radio", name="B おおむね順調").check()
    alice.get_by_label("進捗率").fill("40")
    alice.get_by_label(f"{INDICATOR}の実績（時間）").fill("450")
    alice.get_by_role("radio", name="中", exact=True).check()
    alice.get_by_label("リスクの内容").fill("話者の識別精度が会議室によって下がる。")
    alice.get_by_role("button", name="保存する（作成中）").click()

    expect(alice).to_have_url(re.compile(r"/initiatives/reports/\d+/$"))
    report_url = alice.url
    expect(alice.get_by_text("進捗報告を保存しました（作成中）")).to_be_visible()
    facts = alice.locator("dl.facts")
    expect(facts).to_contain_text(DONE)
    expect(facts).to_contain_text("1,150,000円")
    expect(facts).to_contain_text("B おおむね順調")
    expect(facts).to_contain_text("40％")
    expect(facts).to_contain_text("450時間（目標 200時間）")
    alice.get_by_role("button", name="提出する").click()
    expect(alice.get_by_text("進捗報告を提出しました。")).to_be_visible()
    expect(alice.locator("h1 + p .badge")).to_have_text("提出済")
    expect(alice.get_by_role("button", name="提出する")).to_have_count(0)

    # 3. 情報政策課 confirms it.
    page.goto(report_url)
    expect(page.locator("h1 + p .badge")).to_have_text("提出済")
    page.get_by_label("コメント（差戻しの場合は必須）").fill("内部確認メモ: 次回は話者識別を確認")
    page.get_by_role("button", name="確認済にする").click()
    expect(page.get_by_text("確認しました。")).to_be_visible()
    expect(page.locator("h1 + p .badge")).to_have_text("確認済")
    page.goto(detail_url)
    report_row = page.get_by_role("table", name="進捗報告", exact=True).get_by_role(
        "row", name=FY2026
    )
    expect(report_row).to_contain_text("確認済")
    expect(report_row).to_contain_text("B おおむね順調")
    expect(report_row).to_contain_text("40％")

    # 4. 情報政策課 publishes it with a plain-language summary.
    page.get_by_role("link", name="公開の設定").click()
    expect(page).to_have_url(f"{url}/public/manage/{initiative.pk}/")
    page.get_by_label("市民に公開する").check()
    page.get_by_label("公開用の概要").fill(SUMMARY)
    page.get_by_role("button", name="保存する").click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_text("市民向けの公開ページに掲載しました。")).to_be_visible()
    expect(page.get_by_role("link", name="公開の設定（公開中）")).to_be_visible()

    # 5. A citizen, not logged in, on a phone.
    citizen = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    citizen.goto(f"{url}/public/")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("市のDXの取組")
    card = citizen.get_by_role("article", name=TITLE)
    expect(card).to_contain_text(SUMMARY)
    # Citizens read what the city does, not the procedure's label (実施計画登載).
    expect(card).to_contain_text("計画に沿って準備中")
    expect(card).not_to_contain_text("実施計画登載")
    expect(card).to_contain_text("40％")
    expect(card).to_contain_text("B おおむね順調")
    expect(card).to_contain_text(OWNER)
    assert_fits_phone(citizen)
    assert_nothing_internal(citizen)

    card.get_by_role("link", name=TITLE).click()
    expect(citizen).to_have_url(f"{url}/public/initiatives/{initiative.pk}/")
    expect(citizen.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(citizen.locator(".public-summary")).to_have_text(SUMMARY)
    facts = citizen.locator("dl.public-facts-detail")
    expect(facts).to_contain_text("計画に沿って準備中")
    expect(facts).to_contain_text("40％")
    expect(facts).to_contain_text(f"{FY2026}の報告による")
    expect(facts).to_contain_text("B おおむね順調")
    public_years = citizen.get_by_role("table", name="年度ごとの計画と予算額")
    expect(public_years.get_by_role("row", name=FY2026)).to_contain_text("1,200,000円")
    expect(public_years.get_by_role("row", name=FY2027)).to_contain_text("3,500,000円")
    expect(public_years.get_by_role("row", name="合計")).to_contain_text("4,700,000円")
    public_kpi = citizen.get_by_role("table", name=re.compile(INDICATOR))
    expect(public_kpi.get_by_role("row", name="最新の実績")).to_contain_text("450時間")
    expect(public_kpi.get_by_role("row", name="目標値")).to_contain_text("200時間")
    progress = citizen.get_by_role("table", name=re.compile("年度ごとの進捗率と評価"))
    expect(progress.get_by_role("row", name=FY2026)).to_contain_text("40％")
    expect(progress.get_by_role("row", name=FY2026)).to_contain_text("B おおむね順調")
    assert_fits_phone(citizen)
    assert_nothing_internal(citizen)
    expect(citizen.get_by_role("button", name="ログアウト")).to_have_count(0)
    shot = Path(tmp_path) / "citizen-phone.png"
    citizen.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0

    # The staff page of the same initiative asks the citizen to log in.
    citizen.goto(detail_url)
    expect(citizen).to_have_url(re.compile(r"/accounts/login/\?next="))
