"""The whole cycle from a fresh database, person after person, in a real Chromium.

The database is migrated once (as pytest builds it); the city's master data and the demo
accounts are loaded with the README's own commands. Each step is taken by the person whose job
it is, who finds it from their home page's worklist or from a notification, never from a typed
address: the member of staff proposes two ideas; the secretariat reviews both, sends one to the
bodies and leaves the other to the department; the council's external member gives an opinion;
the HQ member reads the secretariat's checklist review on the agenda item and decides; the
administrator registers the plan edition and the report deadline; the secretariat places the
item; the department's promoter reports, and records the department-led item's progress; the
secretariat confirms the report. Set HANDOFF_SHOTS=<dir> to keep a screenshot of every step.
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.management.commands.create_demo_data import DEMO_PASSWORD
from core.fiscal import fiscal_year, format_fiscal_year
from initiatives.models import Initiative
from plans.models import ProgressNote, ProgressReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MASTER_DATA = Path(__file__).resolve().parents[2] / "data" / "yachiyo.yaml"
PLANNED_TITLE = "会議録作成へのAI活用"
LOCAL_TITLE = "窓口の呼出し表示の改善"
DUPLICATE_TITLE = "会議録作成をAIで支援"
EVIDENCE = "市民課と道路管理課の会議で試算し、年480時間の削減を見込む。"
COUNCIL = "八千代市情報化推進協議会"
HQ = "八千代市電子自治体推進本部"
PLAN_TITLE = "令和8年度～令和10年度 実施計画"
CHECKLIST_ITEMS = 8


class Desk:
    """One person's browser, signed in through the login form; screenshots on request."""

    def __init__(self, browser, context_args, url, username, shots):
        self.page = browser.new_context(**context_args).new_page()
        self.url, self.username, self.shots, self.step = url, username, shots, 0
        self.page.goto(f"{url}/accounts/login/")
        self.page.get_by_label("ユーザー名").fill(username)
        self.page.get_by_label("パスワード").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="ログイン").click()
        self.page.wait_for_url(f"{url}/")

    def home(self):
        nav = self.page.get_by_role("navigation", name="メインメニュー")
        nav.get_by_role("link", name="ホーム", exact=True).click()
        expect(self.page).to_have_url(f"{self.url}/")
        return self.page

    def work(self, label, count):
        """Follow the worklist row of the home page that says `label: count件`."""
        page = self.home()
        page.locator(".worklist").get_by_role("link", name=f"{label}: {count}件").click()
        return page

    def notification(self, subject):
        page = self.page
        page.get_by_role("link", name=re.compile("^お知らせ")).first.click()
        page.get_by_role("link", name=re.compile(re.escape(subject))).first.click()
        return page

    def shot(self, what):
        if self.shots:
            self.step += 1
            self.page.screenshot(
                path=str(self.shots / f"{self.username}-{self.step:02d}-{what}.png"), full_page=True
            )


@pytest.fixture
def city(db):
    call_command("load_master_data", str(MASTER_DATA), verbosity=0)
    call_command("create_demo_data", verbosity=0)


@pytest.fixture
def desk(browser, browser_context_args, live_server, city):
    shots = Path(os.environ["HANDOFF_SHOTS"]) if os.environ.get("HANDOFF_SHOTS") else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    desks = []

    def sit(username):
        d = Desk(browser, browser_context_args, live_server.url, username, shots)
        desks.append(d)
        return d

    yield sit
    for d in desks:
        d.page.context.close()


def propose(page, title):
    page.get_by_role("link", name="新しく提案する").click()
    page.get_by_label("取組名").fill(title)
    page.get_by_label("抽出経路").select_option(label="各部署の課題")
    page.get_by_label("基本方針").select_option(label="方針2 行政事務の効率化")
    page.get_by_label("市民部 市民課", exact=True).check()
    page.get_by_label("現状と課題").fill("手作業の記録と確認に毎日時間がかかっている。")
    page.get_by_label("取組内容").fill(f"{title}を、まず市民課で試し、効果を見て広げる。")
    page.get_by_label("市民への効果").fill("待ち時間が短くなる。")
    page.get_by_label("職員への効果").fill("記録と確認の作業が減る。")
    page.get_by_label("削減できる職員の作業時間").fill("480")
    next_fy = fiscal_year(timezone.localdate()) + 1
    first = page.get_by_role("group", name="スケジュール 1", exact=True)
    first.get_by_label("区分").select_option(label="予算措置")
    first.get_by_label("目標年度").select_option(value=str(next_fy))
    second = page.get_by_role("group", name="スケジュール 2", exact=True)
    second.get_by_label("区分").select_option(label="運用開始")
    second.get_by_label("目標日").fill(datetime.date(next_fy + 1, 1, 4).isoformat())
    page.get_by_label("スモールスタートと軌道修正の計画").fill("1課で3か月試し、検証する。")
    page.get_by_label("概算費用（初期、円）").fill("1200000")
    page.get_by_label("概算費用（運用・年額、円）").fill("300000")
    page.get_by_label("一般財源").check()
    page.get_by_label("セキュリティ上の考慮").fill("庁内ネットワークの中で動かす。")
    for n in range(1, CHECKLIST_ITEMS + 1):
        checklist_item(page, n).get_by_role("radio", name="適", exact=True).check()
    page.get_by_role("button", name="下書きを保存").click()
    expect(page.get_by_text("下書きを保存しました。")).to_be_visible()
    page.get_by_role("link", name="提出する").click()
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("提出しました。")).to_be_visible()


def checklist_item(page, number):
    # Each item is a fieldset whose legend starts with its number (the radio group inside
    # repeats it: the first is the fieldset).
    return page.get_by_role("group", name=re.compile(rf"^{number}\. ")).first


def review_and_classify(page, title, kind, reason):
    """From the inbox: start the review, answer every item with its evidence, classify."""
    page.get_by_role("table", name="待っている取組項目").get_by_role(
        "link", name=title, exact=True
    ).click()
    page.get_by_role("button", name="審査を開始する").click()
    expect(page.get_by_text("審査を開始しました。")).to_be_visible()
    for n in range(1, CHECKLIST_ITEMS + 1):
        item = checklist_item(page, n)
        item.get_by_role("radio", name="適", exact=True).check()
        item.get_by_label("根拠・所見").fill(EVIDENCE)
    page.get_by_role("button", name="審査を保存").click()
    expect(
        page.get_by_text("チェックリストの審査を保存しました（全項目回答済み）。")
    ).to_be_visible()
    page.get_by_role("radio", name=re.compile(f"^{kind}")).check()
    page.get_by_label(re.compile(r"^理由")).fill(reason)
    page.get_by_role("button", name="分類する").click()
    expect(page.get_by_text("分類しました。")).to_be_visible()


def schedule_meeting(page, body, option):
    """From the worklist's 議題に載っていない row: a meeting held today, the item on it."""
    waiting = page.get_by_role("table", name="議題に載っていない付議・審議待ちの取組")
    expect(waiting).to_contain_text(PLANNED_TITLE)
    page.get_by_role("link", name="会議を登録する").click()
    page.get_by_label("会議体").select_option(label=body)
    page.get_by_label("開催日").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{body} 第1回")
    page.get_by_label("議題にする取組項目").select_option(label=option)
    page.get_by_role("button", name="議題に追加").click()
    expect(page.get_by_text("議題を追加しました。")).to_be_visible()


def open_meeting_with_work(page, body):
    """From the meetings page: the meeting whose record waits (記録待ち > 0)."""
    row = page.get_by_role("row", name=re.compile(f"{body} 第1回"))
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{body} 第1回")


def test_the_whole_cycle_person_after_person(desk):
    this_fy = fiscal_year(timezone.localdate())

    # 1. A member of staff of 市民課 proposes two ideas from the home page.
    shokuin = desk("shokuin")
    propose(shokuin.page, PLANNED_TITLE)
    shokuin.home()
    propose(shokuin.page, LOCAL_TITLE)
    shokuin.shot("submitted")

    # 1b. 道路管理課 has the same idea.
    tanin = desk("tanin")
    propose(tanin.page, DUPLICATE_TITLE)

    # 2. The secretariat finds all three in its worklist, merges the duplicate into 市民課's
    #    proposal from the similar proposals' row, after a confirmation.
    joho = desk("johoseisaku")
    page = joho.work("取りまとめ・審査を待つ提案", 3)
    page.get_by_role("table", name="待っている取組項目").get_by_role(
        "link", name=PLANNED_TITLE, exact=True
    ).click()
    similar = page.get_by_role("table", name="似ている提案（類似度の高い順）")
    similar.get_by_role("row", name=re.compile(DUPLICATE_TITLE)).get_by_role(
        "link", name=re.compile("^統合を検討")
    ).click()
    page.get_by_label("統合先").select_option(label=f"{PLANNED_TITLE}（市民部 市民課・提出済）")
    joho.shot("consolidate-form")
    page.get_by_role("button", name="確認する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("統合の確認")
    expect(page.locator("dl.facts")).to_contain_text("都市整備部 道路管理課")
    joho.shot("consolidate-confirm")
    page.get_by_role("button", name="統合を確定する").click()
    expect(page.get_by_role("heading", name="統合元の提案")).to_be_visible()
    joho.shot("consolidated")

    # 2b. 道路管理課's proposer is told, and reaches the merged item, which names the department.
    page = tanin.notification(f"統合: {DUPLICATE_TITLE}")
    expect(page.get_by_role("heading", level=1)).to_have_text(PLANNED_TITLE)
    expect(page.locator("dl.facts").first).to_contain_text("共同提案部署")
    expect(page.locator("dl.facts").first).to_contain_text("都市整備部 道路管理課")
    tanin.shot("told-of-consolidation")

    # 2c. One needs planned promotion, the other the department carries out itself.
    page = joho.work("取りまとめ・審査を待つ提案", 2)
    review_and_classify(page, PLANNED_TITLE, "計画的推進が必要", "複数部署の会議に関わるため。")
    page = joho.work("取りまとめ・審査を待つ提案", 1)
    review_and_classify(page, LOCAL_TITLE, "所管課推進", "市民課だけで完結するため。")
    joho.shot("classified")

    # 3. It schedules the council's meeting from the worklist.
    page = joho.work("議題に載っていない付議・審議待ちの取組", 1)
    schedule_meeting(page, COUNCIL, f"{PLANNED_TITLE}（市民部 市民課・協議会付議）")

    # 4. The council's external member: the agenda item with the secretariat's findings.
    kyogikai = desk("kyogikai")
    page = kyogikai.work("協議会の意見・提言が未記録の議題", 1)
    open_meeting_with_work(page, COUNCIL)
    item = page.locator("section.agenda-item", has_text=PLANNED_TITLE)
    expect(item.get_by_role("table", name=re.compile("による.*の審査"))).to_contain_text(EVIDENCE)
    item.get_by_label("意見・提言").fill("録音の取扱いを定め、市民に公表すること。")
    item.get_by_role("button", name="意見・提言を記録する").click()
    expect(page.get_by_text("意見・提言を記録しました。")).to_be_visible()
    kyogikai.shot("opinion")
    expect(kyogikai.home().locator(".worklist")).to_contain_text("意見・提言が未記録の議題: 0件")

    # 5. The secretariat puts it before the HQ.
    page = joho.work("議題に載っていない付議・審議待ちの取組", 1)
    schedule_meeting(page, HQ, f"{PLANNED_TITLE}（市民部 市民課・推進本部審議）")

    # 6. The HQ member reads the checklist review and the council's opinion, and decides.
    honbu = desk("honbu")
    page = honbu.work("推進本部の決定が未記録の議題", 1)
    open_meeting_with_work(page, HQ)
    item = page.locator("section.agenda-item", has_text=PLANNED_TITLE)
    review = item.get_by_role("table", name=re.compile("情報政策課による.*の審査"))
    expect(review.get_by_role("row")).to_have_count(CHECKLIST_ITEMS + 1)
    expect(review).to_contain_text(EVIDENCE)
    expect(item).to_contain_text("録音の取扱いを定め、市民に公表すること。")
    honbu.shot("agenda-with-review")
    item.get_by_role("radio", name="決定", exact=True).check()
    item.get_by_label(re.compile(r"^理由")).fill("全庁の会議運営の効率化に効果が大きい。")
    item.get_by_role("button", name="決定を記録する").click()
    expect(page.get_by_text("決定を記録しました。")).to_be_visible()

    # 7. The proposer is told, from the notifications list.
    page = shokuin.notification(f"決定: {PLANNED_TITLE}")
    expect(page.get_by_role("heading", level=1)).to_have_text(PLANNED_TITLE)
    expect(page.locator(".badge").first).to_have_text("決定")
    shokuin.shot("told-decided")

    # 8. The administrator registers the plan edition and this year's report deadline.
    kanri = desk("kanri")
    page = kanri.home()
    page.get_by_role("link", name="管理画面").click()
    page.get_by_role("row", name=re.compile("実施計画（版）")).get_by_role(
        "link", name="追加"
    ).click()
    page.get_by_label("総合計画").select_option(index=1)
    page.get_by_label("施策").select_option(index=1)
    page.get_by_label("名称").fill(PLAN_TITLE)
    page.get_by_label("開始年度").fill(str(this_fy))
    page.get_by_label("終了年度").fill(str(this_fy + 2))
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("追加しました")
    page.get_by_role("link", name="ホーム", exact=True).first.click()
    page.get_by_role("row", name=re.compile("進捗報告の提出期限")).get_by_role(
        "link", name="追加"
    ).click()
    page.get_by_label("年度").fill(str(this_fy))
    due = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label("提出期限").fill(due.isoformat())
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("追加しました")
    kanri.shot("deadline")

    # 9. The secretariat places the decided item, from its worklist.
    page = joho.work("決定済で実施計画に未登載の取組", 1)
    page.get_by_role("link", name=PLANNED_TITLE).click()
    page.get_by_role("link", name="実施計画に位置付ける").click()
    page.get_by_label("実施計画").select_option(label=PLAN_TITLE)
    row = page.get_by_role("group", name="年度別計画 1")
    row.get_by_label("年度", exact=True).select_option(label=format_fiscal_year(this_fy))
    row.get_by_label("計画内容").fill("市民課の会議で試行する。")
    row.get_by_label("予算額（円）").fill("1200000")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("実施計画に位置付けました。")).to_be_visible()

    # 10. The promoter of 市民課 is told the department owns it and reports.
    suishin = desk("suishin")
    page = suishin.notification("担当課")
    expect(page.get_by_role("heading", level=1)).to_have_text(PLANNED_TITLE)
    page.get_by_role("link", name=format_fiscal_year(this_fy), exact=True).click()
    page.get_by_label("実績（Do）").fill("市民課の定例会議で試行した。")
    page.get_by_role("radio", name="B おおむね順調").check()
    page.get_by_label("進捗率").fill("30")
    page.get_by_role("button", name="保存する（作成中）").click()
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("進捗報告を提出しました。")).to_be_visible()

    # 11. The same promoter records the department-led item's progress from the worklist.
    page = suishin.work("記録の時期が来た所管課推進の取組", 1)
    page.get_by_role("link", name=LOCAL_TITLE).first.click()
    page.get_by_role("link", name="進捗を記録する").click()
    page.get_by_label("状況と気づき（観察・判断）").fill("呼出しの聞き逃しが減った。")
    page.get_by_label("決めたこと・実行したこと").fill("表示盤の文字を大きくした。")
    page.get_by_label("進捗率（％）").fill("50")
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_text("進捗を記録しました。")).to_be_visible()
    expect(page.locator("#progress-notes ~ section.note").first).to_contain_text("進捗率 50％")
    expect(page.locator(".badge").first).to_have_text("推進中")
    suishin.shot("note")

    # 12. The secretariat confirms the report from its worklist; the promoter is told.
    page = joho.work("確認を待つ進捗報告", 1)
    page.get_by_role("table", name="提出済で確認を待つ進捗報告").get_by_role(
        "link", name=PLANNED_TITLE
    ).click()
    page.get_by_role("button", name="確認済にする").click()
    expect(page.get_by_text("確認しました。")).to_be_visible()
    page = suishin.notification("進捗報告の確認")
    expect(page.get_by_text("確認済").first).to_be_visible()
    suishin.shot("confirmed")

    planned = Initiative.objects.get(title=PLANNED_TITLE)
    local = Initiative.objects.get(title=LOCAL_TITLE)
    assert planned.status == Initiative.Status.PLANNED
    assert planned.plan_entries.get().reports.get().status == ProgressReport.Status.CONFIRMED
    assert local.status == Initiative.Status.IN_PROGRESS
    assert ProgressNote.objects.get().initiative == local
