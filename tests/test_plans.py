"""実施計画 placement, baseline and revisions, PDCA reports, due lists, exports, round trip."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from initiatives.models import Initiative
from plans import queries as plan_queries
from plans import services as plans
from plans import workbooks
from plans.models import (
    ImplementationPlan,
    KpiActual,
    PlanEntry,
    PlanYear,
    ProgressReport,
    ReportSchedule,
)
from policies.models import ComprehensivePlan, Measure

from .factories import make_initiative, transitions

pytestmark = pytest.mark.django_db
S = Initiative.Status
R = ProgressReport.Status


@pytest.fixture
def edition(master_data):
    return ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        title="令和8年度～令和10年度 実施計画",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )


YEARS = [
    {"fiscal_year": 2026, "planned": "1課で試行", "amount": 1_000_000, "funding": "一般財源"},
    {"fiscal_year": 2027, "planned": "全庁展開", "amount": 5_000_000, "funding": "補助金"},
]
KPIS = [
    {
        "indicator": "会議録作成時間",
        "unit": "時間",
        "baseline_value": Decimal("1200"),
        "baseline_year": 2025,
        "target_value": Decimal("600"),
        "target_year": 2027,
    },
]


@pytest.fixture
def decided(proposer):
    return make_initiative(proposer, status=S.DECIDED, title="AI議事録")


@pytest.fixture
def entry(decided, reviewer, edition):
    return plans.place(
        decided, actor=reviewer, plan=edition, owner=decided.department, years=YEARS, kpis=KPIS
    )


def fresh(entry):
    return plan_queries.entries_with_plans(PlanEntry.objects.filter(pk=entry.pk)).get()


# --- Placement and revisions ------------------------------------------------------------------


def test_placement_freezes_the_baseline_and_moves_the_initiative(entry, decided, reviewer):
    decided.refresh_from_db()
    assert decided.status == S.PLANNED
    event = transitions(decided).latest("pk")
    assert (event.actor, event.before["status"], event.after["status"]) == (
        reviewer,
        S.DECIDED,
        S.PLANNED,
    )
    assert event.context == {"plan": entry.plan_id, "entry": entry.pk}
    baseline, current = plan_queries.baseline_and_current(fresh(entry))
    assert baseline == current and baseline.number == 0
    assert [(y.fiscal_year, y.amount) for y in baseline.years.all()] == [
        (2026, 1_000_000),
        (2027, 5_000_000),
    ]
    assert baseline.kpis.get().unit == "時間"


def test_revision_never_changes_the_baseline(entry, reviewer):
    before = list(PlanYear.objects.filter(revision__entry=entry, revision__number=0).values_list())
    plans.revise(
        entry,
        actor=reviewer,
        reason="補助金の採択が1年遅れたため",
        years=[{**YEARS[0], "amount": 0}, {**YEARS[1], "fiscal_year": 2028}],
        kpis=KPIS,
    )
    baseline, current = plan_queries.baseline_and_current(fresh(entry))
    assert list(PlanYear.objects.filter(revision=baseline).values_list()) == before
    assert current.number == 1 and current.reason == "補助金の採択が1年遅れたため"
    assert [(y.fiscal_year, y.amount) for y in current.years.all()] == [
        (2026, 0),
        (2028, 5_000_000),
    ]


def test_revision_needs_a_reason(entry, reviewer):
    with pytest.raises(plans.PlanError, match="理由"):
        plans.revise(entry, actor=reviewer, reason=" ", years=YEARS, kpis=KPIS)
    assert fresh(entry).revisions.count() == 1


@pytest.mark.parametrize(
    ("years", "kpis", "message"),
    [
        ([{**YEARS[0], "fiscal_year": 2030}], KPIS, "期間（2026〜2028年度）外"),
        ([{**YEARS[0], "amount": -1}], KPIS, "0円から1兆円"),
        ([], KPIS, "1年度以上"),
        (YEARS, [{**KPIS[0], "unit": ""}], "単位"),
        ([YEARS[0], YEARS[0]], KPIS, "重複"),
    ],
)
def test_bad_plan_input_is_refused_and_nothing_is_written(
    decided, reviewer, edition, years, kpis, message
):
    with pytest.raises(plans.PlanError, match=message):
        plans.place(
            decided, actor=reviewer, plan=edition, owner=decided.department, years=years, kpis=kpis
        )
    decided.refresh_from_db()
    assert decided.status == S.DECIDED and not PlanEntry.objects.exists()


def test_only_decided_or_department_led_items_are_placed(proposer, reviewer, edition):
    for status in (S.SUBMITTED, S.UNDER_REVIEW, S.HQ_REVIEW, S.REJECTED):
        item = make_initiative(proposer, status=status, complete=False)
        with pytest.raises(plans.PlanError, match="位置付けられません"):
            plans.place(
                item, actor=reviewer, plan=edition, owner=item.department, years=YEARS, kpis=[]
            )
    led = make_initiative(proposer, status=S.DEPARTMENT_LED)
    plans.place(led, actor=reviewer, plan=edition, owner=led.department, years=YEARS, kpis=[])
    led.refresh_from_db()
    assert led.status == S.PLANNED


def test_only_info_policy_places(decided, promoter, hq, edition):
    from django.core.exceptions import PermissionDenied

    for user in (promoter, hq):
        with pytest.raises(PermissionDenied):
            plans.place(
                decided, actor=user, plan=edition, owner=decided.department, years=YEARS, kpis=KPIS
            )


def test_former_plan_item_is_registered_as_continuing(reviewer, edition, departments):
    entry = plans.register_continuing(
        actor=reviewer,
        plan=edition,
        owner=departments["doro"],
        title="道路台帳のGIS化",
        content="旧計画から継続",
        years=YEARS,
        kpis=[],
    )
    assert entry.origin == PlanEntry.Origin.FORMER_ICT
    assert entry.initiative.status == S.PLANNED
    assert transitions(entry.initiative).get().context["entry"] == entry.pk


def test_placement_page_per_role(client, decided, reviewer, proposer, edition):
    url = reverse("plans:place", args=[decided.pk])
    client.force_login(proposer)
    assert client.get(url).status_code == 403
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    data = {
        "plan": edition.pk,
        "owner": decided.department_id,
        "years-TOTAL_FORMS": "3",
        "years-INITIAL_FORMS": "0",
        "years-0-fiscal_year": "2026",
        "years-0-planned": "試行",
        "years-0-amount": "100",
        "years-1-fiscal_year": "2027",
        "years-1-planned": "展開",
        "years-1-amount": "-5",
        "kpis-TOTAL_FORMS": "2",
        "kpis-INITIAL_FORMS": "0",
        "kpis-0-indicator": "件数",
        "kpis-0-baseline_value": "1",
        "kpis-0-baseline_year": "2025",
        "kpis-0-target_value": "2",
        "kpis-0-target_year": "2027",
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "単位を入力してください" in html and "0 以上" in html
    assert not PlanEntry.objects.exists()
    data.update({"years-1-amount": "500", "kpis-0-unit": "件"})
    assert client.post(url, data).status_code == 302
    assert PlanEntry.objects.get().revisions.get().years.count() == 2


# --- Reports ----------------------------------------------------------------------------------


def report_values(**overrides):
    values = {
        "done": "1課で試行した",
        "amount_spent": 900_000,
        "evaluation": "B",
        "progress_percent": 40,
        "risk": "low",
        "risk_note": "",
        "improvement": "研修を増やす",
    }
    values.update(overrides)
    return values


def test_report_is_written_submitted_and_confirmed(
    entry, proposer, reviewer, django_capture_on_commit_callbacks
):
    kpi = fresh(entry).revisions.get().kpis.get()
    report = plans.save_report(
        fresh(entry),
        actor=proposer,
        fiscal_year=2026,
        period="year",
        values=report_values(),
        kpi_values={kpi: Decimal("900")},
    )
    assert report.plan_text == "1課で試行"  # Plan carried from the plan
    assert report.status == R.DRAFT and KpiActual.objects.get().value == Decimal("900")
    with django_capture_on_commit_callbacks(execute=True):
        plans.submit_report(report, actor=proposer)
    assert any("進捗報告の提出" in m.subject for m in mail.outbox)
    plans.review_report(report, actor=reviewer, confirm=True)
    report.refresh_from_db()
    assert report.status == R.CONFIRMED
    assert [(e.before["status"], e.after["status"], e.actor) for e in transitions(report)] == [
        (R.DRAFT, R.SUBMITTED, proposer),
        (R.SUBMITTED, R.CONFIRMED, reviewer),
    ]


def test_report_sent_back_needs_a_comment(entry, proposer, reviewer):
    report = plans.save_report(
        fresh(entry),
        actor=proposer,
        fiscal_year=2026,
        period="year",
        values=report_values(),
        kpi_values={},
    )
    plans.submit_report(report, actor=proposer)
    with pytest.raises(plans.PlanError, match="理由"):
        plans.review_report(report, actor=reviewer, confirm=False)
    plans.review_report(report, actor=reviewer, confirm=False, comment="実績を具体的に")
    report.refresh_from_db()
    assert (
        report.status == R.RETURNED and transitions(report).latest("pk").comment == "実績を具体的に"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fiscal_year": 2028}, "計画にない年度"),
        ({"values": report_values(amount_spent=-1)}, "執行額"),
        ({"values": report_values(progress_percent=101)}, "進捗率"),
        ({"values": report_values(evaluation="E")}, "評価"),
    ],
)
def test_bad_report_input_is_refused(entry, proposer, kwargs, message):
    args = {
        "fiscal_year": 2026,
        "period": "year",
        "values": report_values(),
        "kpi_values": {},
        **kwargs,
    }
    with pytest.raises(plans.PlanError, match=message):
        plans.save_report(fresh(entry), actor=proposer, **args)
    assert not ProgressReport.objects.exists()


def test_submitted_report_of_the_same_period_cannot_be_written_again(entry, proposer):
    report = plans.save_report(
        fresh(entry),
        actor=proposer,
        fiscal_year=2026,
        period="year",
        values=report_values(),
        kpi_values={},
    )
    plans.submit_report(report, actor=proposer)
    with pytest.raises(plans.PlanError, match="変更できません"):
        plans.save_report(
            fresh(entry),
            actor=proposer,
            fiscal_year=2026,
            period="year",
            values=report_values(),
            kpi_values={},
        )
    assert ProgressReport.objects.count() == 1


def test_incomplete_report_cannot_be_submitted(entry, proposer):
    report = plans.save_report(
        fresh(entry),
        actor=proposer,
        fiscal_year=2026,
        period="year",
        values=report_values(evaluation="", progress_percent=None),
        kpi_values={},
    )
    with pytest.raises(plans.PlanError, match="評価、進捗率"):
        plans.submit_report(report, actor=proposer)


def test_report_permissions(client, entry, proposer, outsider, reviewer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        plans.save_report(
            fresh(entry),
            actor=outsider,
            fiscal_year=2026,
            period="year",
            values=report_values(),
            kpi_values={},
        )
    url = reverse("plans:report_edit", args=[entry.pk, 2026, "year"])
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(proposer)
    assert client.get(url).status_code == 200
    report = plans.save_report(
        fresh(entry),
        actor=proposer,
        fiscal_year=2026,
        period="year",
        values=report_values(),
        kpi_values={},
    )
    plans.submit_report(report, actor=proposer)
    client.force_login(proposer)
    client.post(reverse("plans:report_review", args=[report.pk]), {"decision": "confirm"})
    report.refresh_from_db()
    assert report.status == R.SUBMITTED  # the department cannot confirm its own report
    client.force_login(reviewer)
    client.post(reverse("plans:report_review", args=[report.pk]), {"decision": "confirm"})
    report.refresh_from_db()
    assert report.status == R.CONFIRMED


# --- Due and overdue --------------------------------------------------------------------------


def test_due_and_overdue_at_fiscal_year_boundaries(entry, proposer):
    ReportSchedule.objects.create(fiscal_year=2026, due_on=datetime.date(2027, 4, 30))
    ReportSchedule.objects.create(fiscal_year=2027, due_on=datetime.date(2028, 4, 30))
    on_due_day = plan_queries.due_reports(datetime.date(2027, 4, 30))
    assert [(d.fiscal_year, d.is_overdue(datetime.date(2027, 4, 30))) for d in on_due_day] == [
        (2026, False)
    ]
    day_after = datetime.date(2027, 5, 1)
    assert [
        (d.fiscal_year, d.is_overdue(day_after)) for d in plan_queries.due_reports(day_after)
    ] == [(2026, True)]
    # A confirmed or submitted report is no longer due.
    report = plans.save_report(
        fresh(entry),
        actor=proposer,
        fiscal_year=2026,
        period="year",
        values=report_values(),
        kpi_values={},
    )
    plans.submit_report(report, actor=proposer)
    assert plan_queries.due_reports(day_after) == []
    everything = plan_queries.due_reports(datetime.date(2028, 5, 1), include_future=True)
    assert [(d.fiscal_year, d.is_overdue(datetime.date(2028, 5, 1))) for d in everything] == [
        (2027, True)
    ]


def test_half_year_reports(entry, settings):
    settings.REPORT_PERIODS = "half"
    ReportSchedule.objects.create(fiscal_year=2026, period="h1", due_on=datetime.date(2026, 10, 31))
    ReportSchedule.objects.create(fiscal_year=2026, period="h2", due_on=datetime.date(2027, 4, 30))
    due = plan_queries.due_reports(datetime.date(2027, 5, 1), include_future=True)
    assert [(d.fiscal_year, d.period) for d in due] == [(2026, "h1"), (2026, "h2")]


def test_reminders_are_sent_for_overdue_reports_once_a_week(
    entry, promoter, django_capture_on_commit_callbacks
):
    ReportSchedule.objects.create(fiscal_year=2026, due_on=datetime.date(2027, 4, 30))
    with django_capture_on_commit_callbacks(execute=True):
        assert plans.send_reminders(datetime.date(2027, 4, 30)) == 0  # not yet overdue
        assert plans.send_reminders(datetime.date(2027, 5, 1)) == 1
        assert plans.send_reminders(datetime.date(2027, 5, 3)) == 0  # reminded this week
        assert plans.send_reminders(datetime.date(2027, 5, 9)) == 1
    assert len(mail.outbox) == 2
    assert set(mail.outbox[0].to) == {"alice@example.jp", "bob@example.jp"}


def test_reminder_command_runs(entry, capsys):
    call_command("send_report_reminders")
    assert "督促を" in capsys.readouterr().out


def test_due_page(client, entry, proposer):
    ReportSchedule.objects.create(fiscal_year=2026, due_on=datetime.date(2020, 4, 30))
    client.force_login(proposer)
    html = client.get(reverse("plans:reports_due")).content.decode()
    assert "期限を過ぎたもの（1件）" in html and "AI議事録" in html


# --- Plan page and exports ----------------------------------------------------------------------


def test_plan_page_and_excel_export_round_trip(client, entry, proposer, reviewer, edition):
    other = make_initiative(proposer, status=S.DEPARTMENT_LED, title="電子申請", policy_number=1)
    plans.place(
        other, actor=reviewer, plan=edition, owner=other.department, years=[YEARS[1]], kpis=[]
    )
    client.force_login(proposer)
    html = client.get(edition.get_absolute_url()).content.decode()
    assert "AI議事録" in html and "電子申請" in html and "1,000,000円" in html
    filtered = client.get(edition.get_absolute_url(), {"fiscal_year": 2026}).content.decode()
    assert "AI議事録" in filtered and "電子申請" not in filtered

    response = client.get(reverse("plans:plan_xlsx", args=[edition.pk]))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values
    )
    header = rows[0]
    assert header[:4] == ("基本方針", "取組", "担当課", "由来")
    assert (
        "令和8年度 予算額（円）" in header
        and "令和10年度 評価" in header
        and "指標・目標値" in header
    )
    by_title = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_title) == {"AI議事録", "電子申請"}
    assert by_title["AI議事録"]["令和8年度 予算額（円）"] == 1_000_000
    assert by_title["AI議事録"]["令和9年度 予算額（円）"] == 5_000_000
    assert by_title["AI議事録"]["令和8年度 計画"] == "1課で試行"
    assert by_title["電子申請"]["令和9年度 予算額（円）"] == 5_000_000
    assert by_title["電子申請"]["令和8年度 予算額（円）"] is None
    assert (
        "会議録作成時間（時間）: 基準 1200（2025年度） → 目標 600（2027年度）"
        in by_title["AI議事録"]["指標・目標値"]
    )

    csv_body = b"".join(client.get(reverse("plans:plan_csv", args=[edition.pk])).streaming_content)
    assert csv_body.startswith(b"\xef\xbb\xbf") and "AI議事録".encode() in csv_body


def test_plan_page_queries_do_not_grow(client, proposer, reviewer, edition):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def place_some(n):
        for _ in range(n):
            item = make_initiative(proposer, status=S.DECIDED, complete=False)
            plans.place(
                item, actor=reviewer, plan=edition, owner=item.department, years=YEARS, kpis=KPIS
            )

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    client.force_login(reviewer)
    place_some(2)
    urls = [edition.get_absolute_url(), reverse("plans:plan_xlsx", args=[edition.pk])]
    few = [count(u) for u in urls]
    place_some(10)
    assert [count(u) for u in urls] == few


# --- Workbook round trip ----------------------------------------------------------------------


def download(client, user):
    client.force_login(user)
    response = client.get(reverse("plans:reports_workbook"))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def upload(client, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(
        reverse("plans:reports_upload"),
        {"workbook": SimpleUploadedFile("filled.xlsx", buffer.getvalue())},
    )


def column(name):
    return [k for _, k in workbooks.REPORT_COLUMNS].index(name) + 1


@pytest.fixture
def schedule(entry):
    ReportSchedule.objects.create(fiscal_year=2026, due_on=datetime.date(2027, 4, 30))
    ReportSchedule.objects.create(fiscal_year=2027, due_on=datetime.date(2028, 4, 30))


def fill(sheet, row, *, evaluation="B", progress=40, submit=""):
    sheet.cell(row=row, column=column("done")).value = "試行を完了した"
    sheet.cell(row=row, column=column("amount_spent")).value = 950000
    sheet.cell(row=row, column=column("evaluation")).value = evaluation
    sheet.cell(row=row, column=column("progress_percent")).value = progress
    sheet.cell(row=row, column=column("risk")).value = "中"
    sheet.cell(row=row, column=column("submit")).value = submit


def test_report_workbook_round_trip(client, schedule, proposer):
    workbook = download(client, proposer)
    sheet = workbook[workbooks.REPORTS]
    rows = list(sheet.values)
    assert rows[0][0] == "報告キー" and len(rows) == 3  # header + two fiscal years
    assert rows[1][6] == "1課で試行"  # the plan is carried into the workbook
    fill(sheet, 2, submit="提出")
    fill(sheet, 3, evaluation="A", progress=10)
    workbook[workbooks.KPIS].cell(row=2, column=6).value = 880
    response = upload(client, workbook)
    assert response.status_code == 302, response.content.decode()
    first = ProgressReport.objects.get(fiscal_year=2026)
    second = ProgressReport.objects.get(fiscal_year=2027)
    assert (
        first.status,
        first.evaluation,
        first.progress_percent,
        first.amount_spent,
        first.risk,
    ) == (
        R.SUBMITTED,
        "B",
        40,
        950000,
        "medium",
    )
    assert (second.status, second.evaluation) == (R.DRAFT, "A")
    assert first.kpi_actuals.get().value == Decimal("880")


def test_one_bad_cell_refuses_the_whole_upload_naming_its_place(client, schedule, proposer):
    workbook = download(client, proposer)
    sheet = workbook[workbooks.REPORTS]
    fill(sheet, 2)
    fill(sheet, 3, progress=150)
    response = upload(client, workbook)
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "「進捗報告」シート 3行目 K（進捗率（％））列: 進捗率は0から100までの整数で入力してください。"
        in html
    )
    assert not ProgressReport.objects.exists()


def test_stale_workbook_is_refused(client, schedule, proposer, entry):
    workbook = download(client, proposer)
    # Someone edits the 2026 report on the portal after the download.
    plans.save_report(
        fresh(entry),
        actor=proposer,
        fiscal_year=2026,
        period="year",
        values=report_values(),
        kpi_values={},
    )
    sheet = workbook[workbooks.REPORTS]
    fill(sheet, 2)
    response = upload(client, workbook)
    html = response.content.decode()
    assert "ダウンロード後にポータルで更新された報告です" in html
    assert ProgressReport.objects.get().done == "1課で試行した"  # unchanged


def test_upload_of_something_else_is_refused(client, proposer):
    client.force_login(proposer)
    response = client.post(
        reverse("plans:reports_upload"),
        {"workbook": SimpleUploadedFile("x.xlsx", b"not a workbook")},
    )
    assert "Excelファイル（.xlsx）として読み込めません" in response.content.decode()


def test_another_department_cannot_upload_into_these_reports(client, schedule, proposer, outsider):
    workbook = download(client, proposer)
    fill(workbook[workbooks.REPORTS], 2)
    client.force_login(outsider)
    response = upload(client, workbook)
    assert "この所属の提出対象ではありません" in response.content.decode()
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("version", [None, "abc", "1e3"])
def test_a_report_save_without_its_version_is_refused_not_a_500(client, entry, proposer, version):
    report = plans.save_report(
        fresh(entry),
        actor=proposer,
        fiscal_year=2026,
        period="year",
        values=report_values(),
        kpi_values={},
    )
    data = {**report_values(done="版数なしの上書き"), "progress_percent": "50"}
    data = {k: "" if v is None else str(v) for k, v in data.items()}
    if version is not None:
        data["version"] = version
    client.force_login(proposer)
    response = client.post(reverse("plans:report_edit", args=[entry.pk, 2026, "year"]), data)
    assert response.status_code == 200
    assert "ページを開き直してから" in response.content.decode()
    report.refresh_from_db()
    assert report.done != "版数なしの上書き"


@pytest.mark.parametrize(
    "bad", ["NaN", "Infinity", "sNaN", "-inf", 1e30, "1" * 30, "1.234", "1e9999999"]
)
def test_a_kpi_cell_that_is_not_a_storable_number_is_refused_not_a_500(
    client, schedule, proposer, bad
):
    """Issue 15: NaN, infinities and huge numbers in numeric cells."""
    workbook = download(client, proposer)
    fill(workbook[workbooks.REPORTS], 2)
    workbook[workbooks.KPIS].cell(row=2, column=6).value = bad
    response = upload(client, workbook)
    assert response.status_code == 200
    assert "実績値は" in response.content.decode()
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("bad", ["NaN", "sNaN", "Infinity", 1e30])
def test_a_report_cell_that_is_not_a_number_is_refused(client, schedule, proposer, bad):
    workbook = download(client, proposer)
    fill(workbook[workbooks.REPORTS], 2, progress=bad)
    response = upload(client, workbook)
    assert response.status_code == 200
    assert "進捗率は" in response.content.decode()
    assert not ProgressReport.objects.exists()
