"""Review journey in a real Chromium: two departments propose the same idea in different words;
情報政策課 finds the duplicate, consolidates the two, reviews and classifies the result; the
council gives its opinion, the HQ decides, and the proposer follows it all on the timeline."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from initiatives.models import Initiative

from ..factories import make_initiative

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBMITTED = Initiative.Status.SUBMITTED

ALICE_TITLE = "AIを活用した議事録作成支援システムの導入"
CHARLIE_TITLE = "会議録をAIで自動作成するツールの導入"
MERGED_TITLE = "AIによる議事録・会議録作成支援の全庁導入"
MERGED_CONTENT = (
    "音声認識とAI要約で議事録・会議録の案を自動作成するツールを全庁で共同調達し、"
    "市民課と道路管理課で試行してから各課に広げる。"
)

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

COUNCIL = "八千代市情報化推進協議会"
HQ = "八千代市電子自治体推進本部"
PLANNED = "計画的推進が必要（協議会・推進本部へ）"


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
def proposals(proposer, outsider):
    """The same idea from 市民課 and 道路管理課 in other words, amid unrelated proposals."""
    alice = make_initiative(
        proposer,
        status=SUBMITTED,
        title=ALICE_TITLE,
        current_issues="審議会や庁内会議の議事録作成に、録音の聞き起こしで職員の時間が取られている。",
        content="AIの音声認識と要約を使い、会議の録音から議事録の案を自動で作成するシステムを導入する。",
    )
    charlie = make_initiative(
        outsider,
        status=SUBMITTED,
        title=CHARLIE_TITLE,
        current_issues="地元説明会や工事調整会議の会議録を、録音を聞き直して手作業で作っている。",
        content="会議の録音をAIで文字起こしし、要約して会議録を自動作成するツールを導入する。",
    )
    unrelated = [
        make_initiative(
            proposer,
            status=SUBMITTED,
            title="窓口手数料のキャッシュレス決済",
            current_issues="住民票の写し等の手数料が現金払いのみで、釣銭の準備と精算に手間がかかる。",
            content="証明書発行窓口にクレジットカード・電子マネー・QRコード決済の端末を置く。",
        ),
        make_initiative(
            outsider,
            status=SUBMITTED,
            title="道路損傷の市民通報アプリ",
            current_issues="道路の穴や街灯の故障の通報が電話に集中し、場所の特定に時間がかかる。",
            content="スマートフォンで写真と位置情報を添えて通報できるアプリを運用する。",
        ),
    ]
    return alice, charlie, unrelated


def test_consolidate_review_classify_and_decide(
    page, new_page, live_server, login, proposals, reviewer, council, hq, proposer
):
    url = live_server.url
    alice_item, charlie_item, unrelated = proposals
    alice_label = f"{ALICE_TITLE}（市民部 市民課・提出済）"
    charlie_label = f"{CHARLIE_TITLE}（都市整備部 道路管理課・提出済）"
    today = timezone.localdate()

    # 1. 情報政策課 opens the 受付箱: everything submitted waits there, oldest first.
    login(page, reviewer)
    page.get_by_role("link", name="受付箱").click()
    expect(page).to_have_url(f"{url}/reviews/")
    expect(page.get_by_role("heading", level=1)).to_have_text("取りまとめ・審査の受付箱")
    waiting = page.get_by_role("table", name="待っている取組項目")
    for item in (alice_item, charlie_item, *unrelated):
        expect(waiting.get_by_role("row", name=item.title)).to_contain_text("提出済")
    expect(waiting.get_by_role("row", name=CHARLIE_TITLE)).to_contain_text("都市整備部 道路管理課")

    # 2. The review page of 市民課's proposal shows 道路管理課's as the most similar one.
    waiting.get_by_role("link", name=ALICE_TITLE, exact=True).click()
    expect(page).to_have_url(f"{url}/reviews/initiatives/{alice_item.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"審査: {ALICE_TITLE}")
    similar = page.get_by_role("table", name="似ている提案（類似度の高い順）")
    first_row = similar.locator("tbody tr").first
    expect(first_row).to_contain_text(CHARLIE_TITLE)
    expect(first_row).to_contain_text("都市整備部 道路管理課")
    expect(first_row).to_contain_text("提出済")
    score = int(first_row.locator("td.num").inner_text().rstrip("%"))
    assert 0 < score <= 100

    # 3. That row's own link opens the consolidation with just this pair ticked: nothing
    # else listed as similar is chosen for the reviewer.
    first_row.get_by_role("link", name=re.compile("^統合を検討")).click()
    expect(page).to_have_url(re.compile(r"/reviews/consolidate/\?ids="))
    expect(page.get_by_role("heading", level=1)).to_have_text("取組項目の統合（取りまとめ）")
    expect(page.get_by_label(alice_label)).to_be_checked()
    expect(page.get_by_label(charlie_label)).to_be_checked()
    for item in unrelated:
        box = page.get_by_role("checkbox", name=item.title)
        if box.count():
            expect(box).not_to_be_checked()
    expect(page.get_by_label("基本方針・効果・費用などを引き継ぐ取組項目")).to_have_value(
        str(alice_item.pk)
    )
    expect(page.get_by_label("統合後の取組名")).to_have_value(ALICE_TITLE)

    # 4. 市民課's proposal is kept as the 統合先, under a new name and content; a confirmation
    # shows what merges before anything does.
    page.get_by_label("統合先").select_option(label=alice_label)
    page.get_by_label("統合後の取組名").fill(MERGED_TITLE)
    page.get_by_label("統合後の取組内容").fill(MERGED_CONTENT)
    page.get_by_role("button", name="確認する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("統合の確認")
    merging = page.get_by_role("table", name="統合する提案")
    expect(merging.get_by_role("row", name=ALICE_TITLE)).to_contain_text("統合先")
    expect(merging.get_by_role("row", name=CHARLIE_TITLE)).to_contain_text("統合済になる")
    expect(page.locator("dl.facts")).to_contain_text("都市整備部 道路管理課")  # 共同提案部署
    page.get_by_role("button", name="統合を確定する").click()

    detail_url = f"{url}/initiatives/{alice_item.pk}/"
    expect(page).to_have_url(detail_url)
    expect(
        page.get_by_text("統合しました。元の提案者に通知しました。", exact=False)
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(MERGED_TITLE)
    # It waits for its review, and until that starts the merge can be undone.
    expect(page.locator("h1 + p .badge")).to_have_text("提出済")
    expect(page.get_by_role("link", name="統合を取り消す")).to_be_visible()
    expect(page.locator("dl.facts").first).to_contain_text(MERGED_CONTENT)
    merged_from = page.locator(".notice", has_text="次の提案を統合した取組項目です")
    expect(merged_from.get_by_role("link", name=CHARLIE_TITLE)).to_be_visible()
    expect(merged_from).to_contain_text("都市整備部 道路管理課")
    expect(page.get_by_role("heading", name="統合元の提案")).to_be_visible()
    expect(page.locator("dl.facts").first).to_contain_text("共同提案部署")

    # 5. 道路管理課's original stays, as 統合済, pointing at the result.
    merged_from.get_by_role("link", name=CHARLIE_TITLE).click()
    expect(page).to_have_url(f"{url}/initiatives/{charlie_item.pk}/")
    expect(page.locator(".badge")).to_have_text("統合済")
    expect(page.locator(".notice")).to_contain_text(
        f"この提案は「{MERGED_TITLE}」に統合されました。"
    )
    expect(page.locator(".timeline")).to_contain_text("提出済 → 統合済")
    expect(page.locator(".timeline")).to_contain_text("井上")
    # The notice links to the item it became; the similar proposals do not list it again.
    expect(page.locator(".similar").get_by_role("link", name=MERGED_TITLE)).to_have_count(0)
    page.locator(".notice").get_by_role("link", name=MERGED_TITLE).click()
    expect(page).to_have_url(detail_url)

    # 6. The checklist review of the result: 適 for all eight items.
    page.get_by_role("link", name="審査・取りまとめ").click()
    review_url = f"{url}/reviews/initiatives/{alice_item.pk}/"
    expect(page).to_have_url(review_url)
    if page.locator(".badge").inner_text() == "提出済":
        page.get_by_role("button", name="審査を開始する").click()
        expect(page.get_by_text("審査を開始しました。")).to_be_visible()
    expect(page.locator(".badge")).to_have_text("審査中")
    expect(page.get_by_role("button", name="審査を開始する")).to_have_count(0)
    # The duplicate is gone from the similar proposals: it is 統合済 now.
    expect(page.get_by_role("link", name=CHARLIE_TITLE)).to_have_count(0)
    for legend in CHECKLIST:
        item = page.get_by_role("group", name=legend, exact=True).first
        expect(item).to_contain_text("提案者の自己チェック: 適")
        item.get_by_role("radio", name="適", exact=True).check()
    page.get_by_role("button", name="審査を保存").click()
    expect(page).to_have_url(review_url)
    expect(
        page.get_by_text("チェックリストの審査を保存しました（全項目回答済み）。")
    ).to_be_visible()
    expect(page.get_by_text("全項目回答済み（")).to_be_visible()
    expect(page.locator("#id_review-answer_1_0")).to_be_checked()
    expect(page.locator("#id_review-answer_8_0")).to_be_checked()

    # 7. Classified: it affects several departments, so to the council and the HQ.
    page.get_by_role("radio", name=PLANNED).check()
    page.get_by_label(re.compile(r"^理由")).fill(
        "複数部署の会議運営に影響し、共同調達と全庁展開の計画が必要なため。"
    )
    page.get_by_role("button", name="分類する").click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_text("分類しました。")).to_be_visible()
    expect(page.locator(".badge")).to_have_text("協議会付議")
    expect(page.get_by_text(PLANNED)).to_be_visible()

    # 8. A meeting of the council, with the initiative on its agenda.
    page.get_by_role("link", name="会議", exact=True).click()
    expect(page).to_have_url(f"{url}/reviews/meetings/")
    page.get_by_role("link", name="会議を登録する").click()
    page.get_by_label("会議体").select_option(label=COUNCIL)
    # Held today: what a meeting says is recorded on or after its day.
    page.get_by_label("開催日").fill(today.isoformat())
    page.get_by_label("場所").fill("市役所 第1会議室")
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{COUNCIL} 第1回")
    expect(page.get_by_text("議題を追加してください。")).to_be_visible()
    council_url = page.url
    page.get_by_label("議題にする取組項目").select_option(
        label=f"{MERGED_TITLE}（市民部 市民課・協議会付議）"
    )
    page.get_by_role("button", name="議題に追加").click()
    expect(page.get_by_text("議題を追加しました。")).to_be_visible()
    expect(page.locator("section.agenda-item", has_text=MERGED_TITLE)).to_contain_text(
        "現在の状態: 協議会付議"
    )

    # 9. A member of the council records its opinion at their own desk.
    cordelia = new_page()
    login(cordelia, council)
    cordelia.get_by_role("link", name="会議", exact=True).click()
    cordelia.get_by_role("link", name=f"{COUNCIL} 第1回").click()
    expect(cordelia).to_have_url(council_url)
    agenda_item = cordelia.locator("section.agenda-item", has_text=MERGED_TITLE)
    opinion = "個人情報を含む会議の録音の取扱いを定め、市民にも分かるよう公表すること。"
    agenda_item.get_by_label("意見・提言").fill(opinion)
    agenda_item.get_by_role("button", name="意見・提言を記録する").click()
    expect(cordelia.get_by_text("意見・提言を記録しました。")).to_be_visible()
    agenda_item = cordelia.locator("section.agenda-item", has_text=MERGED_TITLE)
    expect(agenda_item).to_contain_text(opinion)
    expect(agenda_item).to_contain_text("記録: 小手")
    expect(agenda_item).to_contain_text("現在の状態: 推進本部審議")
    expect(cordelia.get_by_role("button", name="議題に追加")).to_have_count(0)

    # 10. 情報政策課 puts it on the agenda of the HQ.
    page.goto(f"{url}/reviews/meetings/")
    page.get_by_role("link", name="会議を登録する").click()
    page.get_by_label("会議体").select_option(label=HQ)
    page.get_by_label("開催日").fill(today.isoformat())
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{HQ} 第1回")
    hq_url = page.url
    page.get_by_label("議題にする取組項目").select_option(
        label=f"{MERGED_TITLE}（市民部 市民課・推進本部審議）"
    )
    page.get_by_role("button", name="議題に追加").click()
    expect(page.get_by_text("議題を追加しました。")).to_be_visible()

    # 11. The HQ decides.
    hamlet = new_page()
    login(hamlet, hq)
    hamlet.goto(hq_url)
    agenda_item = hamlet.locator("section.agenda-item", has_text=MERGED_TITLE)
    expect(agenda_item).to_contain_text("現在の状態: 推進本部審議")
    agenda_item.get_by_role("radio", name="決定", exact=True).check()
    decision = "協議会の意見を踏まえ、録音データの取扱規程を整備したうえで導入する。"
    agenda_item.get_by_label(re.compile(r"^理由")).fill(decision)
    agenda_item.get_by_role("button", name="決定を記録する").click()
    expect(
        hamlet.get_by_text("決定を記録しました。提案者とDX推進員に通知しました。")
    ).to_be_visible()
    agenda_item = hamlet.locator("section.agenda-item", has_text=MERGED_TITLE)
    expect(agenda_item.get_by_role("heading", name="結果: 決定")).to_be_visible()
    expect(agenda_item).to_contain_text(f"理由: {decision}")
    expect(agenda_item).to_contain_text("記録: 浜")
    expect(agenda_item).to_contain_text("現在の状態: 決定")

    # 12. The proposer follows the whole way on her initiative's page.
    alice = new_page()
    login(alice, proposer)
    alice.get_by_role("link", name="自分の提案").click()
    alice.get_by_role("link", name=MERGED_TITLE).click()
    expect(alice).to_have_url(detail_url)
    expect(alice.locator(".badge")).to_have_text("決定")
    expect(alice.get_by_role("link", name="審査・取りまとめ")).to_have_count(0)
    timeline = alice.locator(".timeline li")
    expected = [
        ("作成", "有栖"),
        ("下書き → 提出済", "有栖"),
        ("取りまとめ（統合）", "井上"),
        ("提出済 → 審査中", "井上"),
        ("審査中 → 協議会付議", "井上"),
        ("協議会付議 → 推進本部審議", "小手"),
        ("推進本部審議 → 決定", "浜"),
    ]
    expect(timeline).to_have_count(len(expected))
    for event, (step, actor) in zip(timeline.all(), expected, strict=True):
        expect(event.locator("strong")).to_have_text(step)
        expect(event.locator(".meta")).to_contain_text(actor)
    expect(timeline.nth(6)).to_contain_text(decision)
    meetings = alice.get_by_role("complementary").locator("ul", has_text="第1回").last
    expect(meetings).to_contain_text(f"意見・提言: {opinion}")
    expect(meetings).to_contain_text(f"結果: 決定 — {decision}")
    expect(alice.get_by_role("link", name=CHARLIE_TITLE)).to_be_visible()
