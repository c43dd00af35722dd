"""Intake journey in a real Chromium: a member of staff drafts a proposal, completes it later,
submits it; the department's DX推進員 and staff of other departments then see what they may."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.fiscal import fiscal_year, format_fiscal_year, wareki_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "窓口受付のRPA化"

# The DX推進チェックリスト (data/yachiyo.yaml): the legend of each item's fieldset.
CHECKLIST = [
    "1. 市民ニーズを的確にとらえているか。",
    "2. 業務効率化に繋がる取組となっているか。",
    "3. 予算措置等の調達準備から契約、運用開始までのスケジュールが適切に描かれているか。",
    "4. 軌道修正しやすいように、スマートスタートする計画になっているか。",
    "5. 調達や運用に係る費用を減らすため、共同調達、補助金・交付金の活用等について調査検討を行っているか。",
    "6. 他自治体等において同様の事例はないか、ある場合、事例を研究したか。",
    "7. セキュリティについて、精査したか。",
    "8. 方針1～3の趣旨と合致しているか。",
]


@pytest.fixture
def new_page(browser, browser_context_args):
    """A page in a fresh browser context (its own cookies: another person at another desk)."""
    contexts = []

    def make():
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def pdf_file(tmp_path):
    path = tmp_path / "業務フロー.pdf"
    path.write_bytes(
        b"%PDF-1.4\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n"
        b"%%EOF"
    )
    return path


def self_check_item(page, legend):
    # Each item is a fieldset whose legend is the item; the radio group inside repeats it.
    return page.get_by_role("group", name=legend, exact=True).first


def schedule_row(page, kind):
    table = page.get_by_role("table", name="スケジュール", exact=True)
    return table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=kind, exact=True))


def test_draft_complete_and_submit_a_proposal(
    page, new_page, live_server, login, proposer, promoter, outsider, media_root, pdf_file
):
    url = live_server.url
    next_fy = fiscal_year(timezone.localdate()) + 1
    launch_day = datetime.date(next_fy + 1, 1, 4)

    # A member of staff of another department is signed in at their own desk throughout.
    other = new_page()
    login(other, outsider)

    # 1. The proposer starts a proposal: title and channel only, saved as a draft.
    login(page, proposer)
    page.goto(f"{url}/initiatives/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("取組項目（案）の提案")
    page.get_by_label("取組名").fill(TITLE)
    page.get_by_label("抽出経路").select_option(label="各部署の課題")
    page.get_by_role("button", name="下書きを保存").click()

    expect(page.get_by_text("下書きを保存しました。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".badge")).to_have_text("下書き")
    pk = int(re.search(r"/initiatives/(\d+)/$", page.url).group(1))
    detail_url = f"{url}/initiatives/{pk}/"
    edit_url = f"{url}/initiatives/{pk}/edit/"

    # 2. Before submission, the draft is hidden from other departments.
    other.goto(f"{url}/initiatives/")
    expect(other.get_by_role("heading", level=1)).to_have_text("取組一覧")
    expect(other.get_by_role("link", name=TITLE)).to_have_count(0)
    assert other.goto(detail_url).status == 404

    # 3. Later, the proposer comes back to the draft and opens the form again.
    page.goto(detail_url)
    page.get_by_role("link", name="編集する").click()
    expect(page).to_have_url(edit_url)
    expect(page.get_by_label("取組名")).to_have_value(TITLE)

    # 4. Basic information: the policy, one of its examples, the department affected.
    page.get_by_label("基本方針").select_option(label="方針2 行政事務の効率化")
    page.get_by_label("2-12 AI及びRPAの活用推進").check()
    page.get_by_label("市民部 市民課", exact=True).check()

    # 5. The situation, what to do and what it brings.
    page.get_by_label("現状と課題").fill("転入届の入力作業に毎日2時間かかっている。")
    page.get_by_label("取組内容").fill("RPAで住民記録システムへの入力を自動化する。")
    page.get_by_label("市民への効果").fill("窓口の待ち時間が短くなる。")
    page.get_by_label("職員への効果").fill("入力作業と確認作業が減る。")
    page.get_by_label("削減できる職員の作業時間").fill("480")

    # 6. Schedule: budget in a fiscal year, launch on a day.
    first = page.get_by_role("group", name="スケジュール 1", exact=True)
    first.get_by_label("区分").select_option(label="予算措置")
    first.get_by_label("目標年度").select_option(value=str(next_fy))
    second = page.get_by_role("group", name="スケジュール 2", exact=True)
    second.get_by_label("区分").select_option(label="運用開始")
    second.get_by_label("目標日").fill(launch_day.isoformat())
    page.get_by_label("スモールスタートと軌道修正の計画").fill(
        "転入届から始め、3か月後に効果を検証する。"
    )

    # 7. Costs, funding and security.
    page.get_by_label("概算費用（初期、円）").fill("1200000")
    page.get_by_label("概算費用（運用・年額、円）").fill("300000")
    page.get_by_label("一般財源").check()
    page.get_by_label("セキュリティ上の考慮").fill("LGWAN内で動かし、個人情報を外部に出さない。")

    # 8. The self-check: 適 for items 1-7, 要改善 with a note for item 8.
    for legend in CHECKLIST[:7]:
        self_check_item(page, legend).get_by_role("radio", name="適", exact=True).check()
    self_check_item(page, CHECKLIST[7]).get_by_role("radio", name="要改善", exact=True).check()
    page.get_by_label("項目8の補足").fill("方針3との関係を整理する。")

    # 9. A PDF attached, then saved.
    page.get_by_label("添付ファイルを追加").set_input_files(pdf_file)
    page.get_by_role("button", name="下書きを保存").click()

    expect(page.get_by_text("保存しました。", exact=True)).to_be_visible()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("link", name="方針2 行政事務の効率化")).to_be_visible()
    expect(page.get_by_text("2-12 AI及びRPAの活用推進", exact=True)).to_be_visible()
    expect(schedule_row(page, "予算措置")).to_contain_text(format_fiscal_year(next_fy))
    expect(schedule_row(page, "運用開始")).to_contain_text(wareki_date(launch_day))
    expect(page.locator("dl.facts")).to_contain_text("初期 1,200,000円")
    item8 = page.get_by_role("row", name=CHECKLIST[7])
    expect(item8).to_contain_text("要改善")
    expect(item8).to_contain_text("方針3との関係を整理する。")
    expect(page.get_by_role("cell", name="未回答")).to_have_count(0)
    attachment = page.get_by_role("link", name="業務フロー.pdf")
    download = page.request.get(url + attachment.get_attribute("href"))
    assert download.ok and download.body() == pdf_file.read_bytes()

    # 10. Submit from the detail page and confirm.
    page.get_by_role("link", name="提出する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("取組項目（案）の提出")
    expect(page.get_by_role("alert")).to_have_count(0)  # nothing left to fill in
    page.get_by_role("button", name="提出する").click()

    expect(page).to_have_url(detail_url)
    expect(page.get_by_text("提出しました。")).to_be_visible()
    expect(page.locator(".badge")).to_have_text("提出済")
    expect(page.locator(".timeline")).to_contain_text("下書き → 提出済")
    expect(page.get_by_role("link", name="編集する")).to_have_count(0)

    # 11. The department's DX推進員 finds it under 所属の提案.
    bob = new_page()
    login(bob, promoter)
    bob.get_by_role("link", name="所属の提案").click()
    expect(bob.get_by_role("heading", level=1)).to_have_text("所属の提案")
    row = bob.get_by_role("row", name=TITLE)
    expect(row).to_contain_text("提出済")
    expect(row).to_contain_text("市民部 市民課")

    # 12. Other departments now see it in 取組一覧, but may not edit it.
    other.goto(f"{url}/initiatives/")
    other.get_by_role("link", name=TITLE).click()
    expect(other).to_have_url(detail_url)
    expect(other.locator(".badge")).to_have_text("提出済")
    expect(other.get_by_role("link", name="編集する")).to_have_count(0)
    expect(other.get_by_role("link", name="提出する")).to_have_count(0)
    assert other.request.get(edit_url).status == 403
