"""Keyboard-only journey in a real Chromium (no mouse): a member of staff submits a complete
proposal, 情報政策課 reviews and classifies it, and the HQ records its decision.

Every move is a key press: Tab (until the wanted element has focus), Space for checkboxes and
radios, ArrowDown for selects and radio groups, Enter for links and buttons, typing for text.
Each element reached must show a visible focus indicator.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.fiscal import fiscal_year, format_fiscal_year
from initiatives.models import Initiative
from policies.models import Body
from reviews import services

from ..conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "転入届のオンライン事前入力"
PLANNED = "計画的推進が必要（協議会・推進本部へ）"
HQ = "八千代市電子自治体推進本部"
REASON = "窓口と住民記録の複数部署に影響し、システム改修の計画が必要なため。"
DECISION = "市民課で試行し、効果を確かめてから全窓口に広げる。"

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

FOCUS_STYLE = """el => {
  const s = getComputedStyle(el);
  return {
    keyboard: el.matches(":focus-visible"),
    outline: s.outlineStyle,
    width: parseFloat(s.outlineWidth),
    shadow: s.boxShadow,
  };
}"""


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


# --- Keyboard helpers ------------------------------------------------------------------------


def is_focused(locator):
    return locator.evaluate("el => el === document.activeElement")


def describe_focus(page):
    return page.evaluate(
        """() => { const el = document.activeElement;
        if (!el) return 'nothing';
        const label = el.labels && el.labels[0] ? el.labels[0].innerText : el.innerText || '';
        return `<${el.tagName.toLowerCase()} id=${el.id || '-'}> ${label.trim().slice(0, 40)}`; }"""
    )


def assert_focus_visible(locator):
    """Keyboard focus (:focus-visible) drawn as an outline of 2px or more, or a box-shadow."""
    style = locator.evaluate(FOCUS_STYLE)
    drawn = (style["outline"] != "none" and style["width"] >= 2) or style["shadow"] != "none"
    assert style["keyboard"] and drawn, f"no visible focus indicator on {locator}: {style}"


def tab_to(page, locator, limit=400):
    """Press Tab until `locator` has focus; its focus must be visible."""
    expect(locator).to_have_count(1)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(locator):
            assert_focus_visible(locator)
            return
    pytest.fail(
        f"Tab never reached {locator} in {limit} presses (focus is on {describe_focus(page)})"
    )


def type_into(page, locator, text):
    tab_to(page, locator)
    page.keyboard.type(text)
    expect(locator).to_have_value(text)


def choose(page, select, label, limit=60):
    """Tab to a select, then ArrowDown until the option `label` is selected."""
    tab_to(page, select)
    for _ in range(limit):
        if select.evaluate("s => s.selectedOptions[0] && s.selectedOptions[0].text") == label:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"ArrowDown never selected {label!r} in {select}")


def toggle(page, box):
    """A checkbox, or the first radio of a group nothing is chosen in: Tab to it, Space."""
    tab_to(page, box)
    page.keyboard.press("Space")
    expect(box).to_be_checked()


def activate(page, target, key="Enter"):
    """Tab to a link or button and press Enter: a page loads."""
    tab_to(page, target)
    with page.expect_navigation():
        page.keyboard.press(key)


def keyboard_login(page, url, user):
    page.goto(f"{url}/accounts/login/")
    type_into(page, page.get_by_label("ユーザー名"), user.username)
    tab_to(page, page.get_by_label("パスワード"))
    page.keyboard.type(PASSWORD)
    activate(page, page.get_by_role("button", name="ログイン"))
    expect(page).to_have_url(f"{url}/")


def checklist_radio(page, legend, answer="適"):
    item = page.get_by_role("group", name=legend, exact=True).first
    return item.get_by_role("radio", name=answer, exact=True)


# --- The journey -------------------------------------------------------------------------------


def test_keyboard_only_submit_review_and_decide(
    new_page, live_server, proposer, reviewer, hq, departments
):
    url = live_server.url
    today = timezone.localdate()

    # 1. The proposer signs in and follows 新しく提案する from the home page.
    alice = new_page()
    keyboard_login(alice, url, proposer)
    activate(alice, alice.get_by_role("link", name="新しく提案する"))
    expect(alice.get_by_role("heading", level=1)).to_have_text("取組項目（案）の提案")

    # 2. Basic information: title, channel, policy, the department affected.
    type_into(alice, alice.get_by_label("取組名"), TITLE)
    choose(alice, alice.get_by_label("抽出経路"), "各部署の課題")
    choose(alice, alice.get_by_label("基本方針"), "方針2 行政事務の効率化")
    toggle(alice, alice.get_by_label("市民部 市民課", exact=True))

    # 3. The situation, what to do and what it brings.
    type_into(alice, alice.get_by_label("現状と課題"), "転入届を窓口で手書きしてもらっている。")
    type_into(
        alice, alice.get_by_label("取組内容"), "来庁前にスマートフォンで事前入力できるようにする。"
    )
    type_into(alice, alice.get_by_label("市民への効果"), "窓口での記入と待ち時間が減る。")
    type_into(alice, alice.get_by_label("職員への効果"), "手書きの転記作業がなくなる。")
    type_into(alice, alice.get_by_label("削減できる職員の作業時間"), "600")

    # 4. One schedule row: budget in the next fiscal year; the small-start plan.
    first = alice.get_by_role("group", name="スケジュール 1", exact=True)
    choose(alice, first.get_by_label("区分"), "予算措置")
    next_fy = fiscal_year(today) + 1
    choose(alice, first.get_by_label("目標年度"), format_fiscal_year(next_fy))
    type_into(
        alice, alice.get_by_label("スモールスタートと軌道修正の計画"), "転入届から始めて検証する。"
    )

    # 5. Costs, funding, security.
    type_into(alice, alice.get_by_label("概算費用（初期、円）"), "800000")
    type_into(alice, alice.get_by_label("概算費用（運用・年額、円）"), "200000")
    toggle(alice, alice.get_by_label("一般財源"))
    type_into(alice, alice.get_by_label("セキュリティ上の考慮"), "入力内容は暗号化して保存する。")

    # 6. The self-check: 適 for all eight items (the first radio of each group).
    for legend in CHECKLIST:
        toggle(alice, checklist_radio(alice, legend))

    # 7. Saved as a draft, then submitted from the detail page and confirmed.
    activate(alice, alice.get_by_role("button", name="下書きを保存"))
    expect(alice.get_by_text("下書きを保存しました。")).to_be_visible()
    expect(alice.get_by_role("heading", level=1)).to_have_text(TITLE)
    pk = int(re.search(r"/initiatives/(\d+)/$", alice.url).group(1))
    activate(alice, alice.get_by_role("link", name="提出する"))
    expect(alice.get_by_role("heading", level=1)).to_have_text("取組項目（案）の提出")
    expect(alice.get_by_role("alert")).to_have_count(0)  # nothing left to fill in
    activate(alice, alice.get_by_role("button", name="提出する"))
    expect(alice.get_by_text("提出しました。")).to_be_visible()
    expect(alice.locator(".badge")).to_have_text("提出済")

    # 8. 情報政策課 signs in, opens the 受付箱 and the proposal's review page.
    iago = new_page()
    keyboard_login(iago, url, reviewer)
    activate(iago, iago.get_by_role("link", name="受付箱"))
    activate(iago, iago.get_by_role("link", name=TITLE, exact=True))
    expect(iago).to_have_url(f"{url}/reviews/initiatives/{pk}/")

    # 9. 審査を開始する, then 適 for the eight checklist items, saved.
    activate(iago, iago.get_by_role("button", name="審査を開始する"))
    expect(iago.get_by_text("審査を開始しました。")).to_be_visible()
    expect(iago.locator(".badge")).to_have_text("審査中")
    for legend in CHECKLIST:
        toggle(iago, checklist_radio(iago, legend))
    activate(iago, iago.get_by_role("button", name="審査を保存"))
    expect(
        iago.get_by_text("チェックリストの審査を保存しました（全項目回答済み）。")
    ).to_be_visible()

    # 10. Classified 計画的推進が必要: Tab into the group, ArrowDown to the second choice.
    kinds = iago.get_by_role("group", name=re.compile(r"^分類"))
    tab_to(iago, kinds.get_by_role("radio").first)
    planned = kinds.get_by_role("radio", name=PLANNED)
    iago.keyboard.press("ArrowDown")
    expect(planned).to_be_checked()
    assert is_focused(planned)
    assert_focus_visible(planned)
    type_into(iago, iago.get_by_label(re.compile(r"^理由")), REASON)
    activate(iago, iago.get_by_role("button", name="分類する"))
    expect(iago.get_by_text("分類しました。")).to_be_visible()
    expect(iago.locator(".badge")).to_have_text("協議会付議")

    # Not part of the journey: the council's opinion, and the HQ meeting with the item on its
    # agenda, prepared through the services.
    initiative = Initiative.objects.get(pk=pk)
    council_meeting = services.create_meeting(
        actor=reviewer,
        body=Body.objects.get(kind=Body.Kind.COUNCIL),
        held_on=today,  # opinions and decisions are recorded on or after the day
    )
    agenda = services.add_agenda_item(council_meeting, actor=reviewer, initiative=initiative)
    services.record_opinion(
        council_meeting, agenda.pk, actor=reviewer, text="市民への周知を丁寧に行うこと。"
    )
    hq_meeting = services.create_meeting(
        actor=reviewer,
        body=Body.objects.get(kind=Body.Kind.HEADQUARTERS),
        held_on=today,
    )
    services.add_agenda_item(hq_meeting, actor=reviewer, initiative=initiative)

    # 11. The HQ signs in and follows the meeting from これからの会議 on the home page.
    hamlet = new_page()
    keyboard_login(hamlet, url, hq)
    activate(hamlet, hamlet.get_by_role("link", name=f"{HQ} 第1回"))
    expect(hamlet.get_by_role("heading", level=1)).to_have_text(f"{HQ} 第1回")
    agenda_item = hamlet.locator("section.agenda-item", has_text=TITLE)
    expect(agenda_item).to_contain_text("現在の状態: 推進本部審議")

    # 12. 決定 (the first choice: Space), a reason, 決定を記録する.
    toggle(hamlet, agenda_item.get_by_role("radio", name="決定", exact=True))
    type_into(hamlet, agenda_item.get_by_label(re.compile(r"^理由")), DECISION)
    activate(hamlet, agenda_item.get_by_role("button", name="決定を記録する"))
    expect(
        hamlet.get_by_text("決定を記録しました。提案者とDX推進員に通知しました。")
    ).to_be_visible()
    agenda_item = hamlet.locator("section.agenda-item", has_text=TITLE)
    expect(agenda_item.get_by_role("heading", name="結果: 決定")).to_be_visible()
    expect(agenda_item).to_contain_text(f"理由: {DECISION}")

    # 13. Recorded: 決定 in the database, and every step on the initiative's timeline.
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.DECIDED
    activate(hamlet, agenda_item.get_by_role("link", name=TITLE))
    expect(hamlet).to_have_url(f"{url}/initiatives/{pk}/")
    expect(hamlet.locator(".badge")).to_have_text("決定")
    timeline = hamlet.locator(".timeline li")
    expected = [
        ("作成", "有栖"),
        ("下書き → 提出済", "有栖"),
        ("提出済 → 審査中", "井上"),
        ("審査中 → 協議会付議", "井上"),
        ("協議会付議 → 推進本部審議", "井上"),
        ("推進本部審議 → 決定", "浜"),
    ]
    expect(timeline).to_have_count(len(expected))
    for event, (step, actor) in zip(timeline.all(), expected, strict=True):
        expect(event.locator("strong")).to_have_text(step)
        expect(event.locator(".meta")).to_contain_text(actor)
    expect(timeline.last).to_contain_text(DECISION)
