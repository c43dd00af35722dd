"""The offline round trip of progress reports: a department downloads its due reports as one
workbook, fills it in (often on a machine without portal access) and uploads it back.

The upload checks every row first and lists each problem with its sheet, row and column; only a
workbook without problems is applied, all of it in one transaction. A report changed since the
download (its 版数 differs) is refused: the department downloads again.
"""

import io
import tempfile
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.fiscal import format_fiscal_year
from core.spreadsheets import cells, un_cell

from . import queries, services, workbook_checks
from .models import KpiActual, ProgressReport
from .workbook_checks import MAX_UPLOAD_BYTES, Problem, WorkbookRejected
from .workflow import REQUIRED_FOR_SUBMISSION

KPI_LIMIT = 10**12  # KpiActual.value: 14 digits, 2 of them decimals

REPORTS = "進捗報告"
KPIS = "指標実績"
GUIDE = "記入方法"
EVALUATIONS = {"A": "A", "B": "B", "C": "C", "D": "D"}
RISKS = {"低": "low", "中": "medium", "高": "high"}
SUBMIT_WORD = "提出"

# (header, key); the first seven are given, the rest filled in by the department.
REPORT_COLUMNS = [
    ("報告キー", "key"),
    ("版数", "version"),
    ("取組名", "title"),
    ("年度", "fiscal_year_label"),
    ("期間", "period_label"),
    ("提出期限", "due_on"),
    ("計画（Plan）", "plan_text"),
    ("実績（Do）", "done"),
    ("執行額（円）", "amount_spent"),
    ("評価（A/B/C/D）", "evaluation"),
    ("進捗率（％）", "progress_percent"),
    ("リスク（低/中/高）", "risk"),
    ("リスクの内容", "risk_note"),
    ("改善・見直し（Act）", "improvement"),
    (f"提出する場合は「{SUBMIT_WORD}」", "submit"),
]
FIRST_INPUT = 7  # index of 実績（Do）
KPI_COLUMNS = ["報告キー", "指標番号", "指標", "単位", "目標値", "実績値"]


def _key(entry_id, fiscal_year, period):
    return f"{entry_id}-{fiscal_year}-{period}"


GUIDE_LINES = (
    "「進捗報告」シートの実績（Do）から右の列と、「指標実績」シートの実績値を記入してください。",
    "報告キー・版数・取組名などの灰色の列は変更しないでください。",
    "評価は A（順調）・B（おおむね順調）・C（遅れ）・D（大幅遅れ）、リスクは 低・中・高 で記入します。",
    f"提出まで済ませる行は、最後の列に「{SUBMIT_WORD}」と記入します。空欄なら作成中として保存されます。",
    "アップロードすると全行を確認し、問題が1つでもあれば何も反映せずに問題の場所を表示します。",
    "ダウンロード後にポータルで更新された報告があると、その報告は受け付けません。もう一度ダウンロードしてください。",
)
RISK_LABELS = {v: k for k, v in RISKS.items()}


def _sheet_row(due, current, key):
    r = due.report
    return [
        key,
        r.version if r else 0,
        due.entry.initiative.title,
        format_fiscal_year(due.fiscal_year),
        due.period_label,
        due.due_on,
        r.plan_text if r else (queries.planned_text(current, due.fiscal_year) or ""),
        r.done if r else "",
        r.amount_spent if r else None,
        r.evaluation if r else "",
        r.progress_percent if r else None,
        RISK_LABELS.get(r.risk, "") if r else "",
        r.risk_note if r else "",
        r.improvement if r else "",
        "",
    ]


def build(department, today):
    """The department's due reports as a workbook in a temporary file."""
    due = queries.due_reports(today, department=department, include_future=True)
    reports = [d.report for d in due if d.report]
    actuals = {
        (a.report_id, a.kpi_id): a.value for a in KpiActual.objects.filter(report__in=reports)
    }
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = REPORTS
    sheet.append([h for h, _ in REPORT_COLUMNS])
    kpi_sheet = workbook.create_sheet(KPIS)
    kpi_sheet.append(KPI_COLUMNS)
    for d in due:
        _, current = queries.baseline_and_current(d.entry)
        key = _key(d.entry.pk, d.fiscal_year, d.period)
        sheet.append(cells(_sheet_row(d, current, key)))
        for kpi in current.kpis.all():
            actual = actuals.get((d.report.pk, kpi.pk)) if d.report else None
            kpi_sheet.append(
                cells([key, kpi.number, kpi.indicator, kpi.unit, kpi.target_value, actual])
            )
    _decorate(sheet, kpi_sheet, len(due))
    guide = workbook.create_sheet(GUIDE)
    for line in GUIDE_LINES:
        guide.append([line])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _decorate(sheet, kpi_sheet, rows):
    grey = PatternFill("solid", fgColor="EEEEEE")
    for s in (sheet, kpi_sheet):
        for header in s[1]:
            header.font = Font(bold=True)
        s.freeze_panes = "A2"
    for column in range(1, FIRST_INPUT + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 18
        for row in range(2, rows + 2):
            sheet.cell(row=row, column=column).fill = grey
    last = rows + 1
    for key, options in (
        ("evaluation", '"A,B,C,D"'),
        ("risk", '"低,中,高"'),
        ("submit", f'"{SUBMIT_WORD}"'),
    ):
        column = get_column_letter([k for _, k in REPORT_COLUMNS].index(key) + 1)
        validation = DataValidation(type="list", formula1=options, allow_blank=True)
        validation.error = "一覧から選んでください。"
        sheet.add_data_validation(validation)
        validation.add(f"{column}2:{column}{max(last, 2)}")


def _column(key):
    index = [k for _, k in REPORT_COLUMNS].index(key)
    return f"{get_column_letter(index + 1)}（{REPORT_COLUMNS[index][0]}）"


def _text(value):
    if value is None:
        return ""
    # Undo the export's formula guard.
    return un_cell(str(value).strip())


def _decimal(value):
    """A finite number typed in a cell, or None (NaN, Infinity and text are not numbers)."""
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    # Beyond 10^15 no column holds it (and abs() or round() would overflow on 1e9999999).
    return number if number.is_finite() and number.adjusted() < 15 else None


def _integer(value, problems, where, *, low, high, label):
    if value in (None, ""):
        return None
    number = _decimal(value)
    if number is None:
        problems.append(Problem(*where, f"{label}は数値で入力してください。"))
        return None
    if number != number.to_integral_value() or not low <= number <= high:
        problems.append(
            Problem(*where, f"{label}は{low:,}から{high:,}までの整数で入力してください。")
        )
        return None
    return int(number)


def _open(upload):
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    workbook_checks.check_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookRejected(
            [Problem("（ファイル）", 0, "-", "Excelファイル（.xlsx）として読み込めません。")]
        ) from exc
    if REPORTS not in workbook.sheetnames or KPIS not in workbook.sheetnames:
        raise WorkbookRejected(
            [
                Problem(
                    "（ファイル）",
                    0,
                    "-",
                    f"「{REPORTS}」「{KPIS}」シートがありません。ポータルからダウンロードしたファイルを使ってください。",
                )
            ]
        )
    return workbook


def read(upload, *, department, actor):
    """Check a filled-in workbook; return what to apply or raise WorkbookRejected."""
    workbook = _open(upload)
    # openpyxl reads the sheets lazily: a part broken past its start fails only here.
    try:
        return _read(workbook, department)
    except workbook_checks.UNREADABLE as exc:
        raise workbook_checks.refuse("Excelファイル（.xlsx）の中身を読み込めません。") from exc


def _read(workbook, department):
    due = {
        _key(d.entry.pk, d.fiscal_year, d.period): d
        for d in queries.due_reports(
            timezone.localdate(), department=department, include_future=True
        )
    }
    existing = {
        _key(r.entry_id, r.fiscal_year, r.period): r
        for r in ProgressReport.objects.filter(entry__owner=department)
    }
    problems, changes = [], {}
    for number, values in workbook_checks.filled_rows(workbook[REPORTS], len(REPORT_COLUMNS)):
        row = dict(zip((k for _, k in REPORT_COLUMNS), values, strict=False))
        change = _report_row(row, number, due, existing, problems)
        if change is not None:
            changes[change.pop("key")] = change
    for number, values in workbook_checks.filled_rows(workbook[KPIS], len(KPI_COLUMNS)):
        _kpi_row(values, number, changes, due, existing, problems)
    if problems:
        raise WorkbookRejected(workbook_checks.first(problems), total=len(problems))
    return list(changes.values())


def _report_row(row, number, due, existing, problems):
    """The change one row of the reports sheet asks for, or None; problems appended."""
    key = _text(row["key"])
    where = lambda column: (REPORTS, number, _column(column))  # noqa: E731
    report = existing.get(key)
    if key not in due and report is None:
        problems.append(
            Problem(*where("key"), f"報告キー「{key}」はこの所属の提出対象ではありません。")
        )
        return None
    version = _integer(row["version"], problems, where("version"), low=0, high=10**9, label="版数")
    current_version = report.version if report else 0
    if report is not None and not report.is_editable:
        problems.append(
            Problem(
                *where("key"),
                f"この報告は既に「{report.get_status_display()}」のため変更できません。",
            )
        )
        return None
    if version is not None and version != current_version:
        problems.append(
            Problem(
                *where("version"),
                f"ダウンロード後にポータルで更新された報告です（現在の版数 {current_version}）。もう一度ダウンロードしてください。",
            )
        )
        return None
    values, submit = _row_values(row, where, problems)
    source = due.get(key) or report
    return {
        "key": key,
        "entry": source.entry,
        "fiscal_year": source.fiscal_year,
        "period": source.period,
        "values": values,
        "version": current_version,
        "submit": submit,
        "kpis": {},
    }


def _row_values(row, where, problems):
    """The report's values of a row, checked: ({field: value}, whether to submit)."""
    evaluation = _text(row["evaluation"]).upper()
    if evaluation and evaluation not in EVALUATIONS:
        problems.append(
            Problem(*where("evaluation"), "評価は A・B・C・D のいずれかで入力してください。")
        )
    risk = _text(row["risk"])
    if risk and risk not in RISKS:
        problems.append(
            Problem(*where("risk"), "リスクは 低・中・高 のいずれかで入力してください。")
        )
    submit = _text(row["submit"])
    if submit and submit != SUBMIT_WORD:
        problems.append(
            Problem(
                *where("submit"),
                f"提出する場合は「{SUBMIT_WORD}」と入力し、しない場合は空欄にしてください。",
            )
        )
    values = {
        "done": _text(row["done"]),
        "amount_spent": _integer(
            row["amount_spent"],
            problems,
            where("amount_spent"),
            low=0,
            high=10**12,
            label="執行額",
        ),
        "evaluation": evaluation if evaluation in EVALUATIONS else "",
        "progress_percent": _integer(
            row["progress_percent"],
            problems,
            where("progress_percent"),
            low=0,
            high=100,
            label="進捗率",
        ),
        "risk": RISKS.get(risk, ""),
        "risk_note": _text(row["risk_note"]),
        "improvement": _text(row["improvement"]),
    }
    if submit == SUBMIT_WORD:
        for name, label in REQUIRED_FOR_SUBMISSION.items():
            if values[name] in (None, ""):
                problems.append(Problem(*where(name), f"提出する報告には{label}が必要です。"))
    return values, submit == SUBMIT_WORD


def _kpi_row(values, number, changes, due, existing, problems):
    """Add one row of the KPI sheet to its report's change; problems appended."""
    key, kpi_number, actual = _text(values[0]), values[1], values[5]
    if key not in changes:
        if key not in due and key not in existing:
            problems.append(
                Problem(
                    KPIS,
                    number,
                    "A（報告キー）",
                    f"報告キー「{key}」は「{REPORTS}」シートにありません。",
                )
            )
        return
    _, current = queries.baseline_and_current(changes[key]["entry"])
    kpi = next((k for k in current.kpis.all() if str(k.number) == _text(kpi_number)), None)
    if kpi is None:
        problems.append(Problem(KPIS, number, "B（指標番号）", "計画にない指標番号です。"))
        return
    if actual in (None, ""):
        return
    value = _decimal(actual)
    if value is None or abs(value) >= KPI_LIMIT or value != round(value, 2):
        problems.append(
            Problem(
                KPIS,
                number,
                "F（実績値）",
                f"実績値は{KPI_LIMIT:,}未満の数値（小数は2桁まで）で入力してください。",
            )
        )
        return
    if value < 0 and not kpi.allows_negative:
        problems.append(
            Problem(
                KPIS,
                number,
                "F（実績値）",
                f"指標「{kpi.indicator}」（{kpi.unit}）はマイナスになりません。実績値は0以上で入力してください。",
            )
        )
        return
    changes[key]["kpis"][kpi] = value


@transaction.atomic
def apply(changes, *, actor):
    """Save every row (and submit those marked); any refusal rolls all of it back."""
    saved = 0
    for change in changes:
        entry = queries.entry_with_plans(change["entry"].pk)
        report = services.save_report(
            entry,
            actor=actor,
            fiscal_year=change["fiscal_year"],
            period=change["period"],
            values=change["values"],
            kpi_values=change["kpis"],
            expected_version=change["version"],
        )
        if change["submit"]:
            services.submit_report(report, actor=actor)
        saved += 1
    return saved
