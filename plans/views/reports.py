"""PDCA progress reports: writing, submitting, confirming; what is due; the Excel round trip."""

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import staff_required
from core.forms import STALE_FORM, error_summary, posted_version
from policies.models import Department
from policies.names import city

from .. import access, follow_up, queries, services, workbooks
from ..forms import ReportForm, ReportReviewForm, WorkbookUploadForm
from ..models import KpiActual, ProgressReport, ReportSchedule


@require_http_methods(["GET", "POST"])
@staff_required
def report_edit(request, entry_pk, fiscal_year, period):
    entry = access.report_entry_for_user(request, entry_pk)
    if period not in ReportSchedule.Period.values:
        raise Http404("期間が正しくありません。")
    _, current = queries.baseline_and_current(entry)
    report = ProgressReport.objects.filter(
        entry=entry, fiscal_year=fiscal_year, period=period
    ).first()
    actuals = {a.kpi_id: a.value for a in KpiActual.objects.filter(report=report)} if report else {}
    form = ReportForm(
        request.POST or None, instance=report, kpis=current.kpis.all(), actuals=actuals
    )
    expected = posted_version(request) if report else None
    if request.method == "POST" and report and expected is None:
        # Without the version the form was opened at, a save could overwrite a newer one.
        form.add_error(None, STALE_FORM)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_report(
                entry,
                actor=request.user,
                fiscal_year=fiscal_year,
                period=period,
                values={f: form.cleaned_data[f] for f in services.REPORT_FIELDS},
                kpi_values=form.kpi_values(),
                expected_version=expected,
            )
        except services.PlanError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "進捗報告を保存しました（作成中）。内容を確認して提出してください。"
            )
            return redirect(saved)
    return render(
        request,
        "plans/report_form.html",
        {
            "entry": entry,
            "report": report,
            "form": form,
            "fiscal_year": fiscal_year,
            "period_label": ReportSchedule.Period(period).label,
            "planned": queries.planned_text(current, fiscal_year),
            "errors": error_summary(form) if form.is_bound else [],
        },
    )


@require_safe
@staff_required
def report_detail(request, pk):
    report = access.report_for_user(request, pk)
    user = request.user
    return render(
        request,
        "plans/report_detail.html",
        {
            "report": report,
            "actuals": report.kpi_actuals.select_related("kpi").order_by("kpi__number"),
            "events": queries.report_timeline(report),
            "can_write": access.can_write_report(user, report.entry) and report.is_editable,
            "can_review": user.is_secretariat and report.status == ProgressReport.Status.SUBMITTED,
            "review_form": ReportReviewForm(),
        },
    )


@require_POST
@staff_required
def report_submit(request, pk):
    report = access.report_for_user(request, pk)
    try:
        services.submit_report(report, actor=request.user)
    except services.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"進捗報告を提出しました。{city().secretariat}が確認します。")
    return redirect(report)


@require_POST
@staff_required
def report_review(request, pk):
    report = access.report_for_user(request, pk)
    form = ReportReviewForm(request.POST)
    form.is_valid()
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.review_report(
            report,
            actor=request.user,
            confirm=confirm,
            comment=form.cleaned_data.get("comment", ""),
        )
    except services.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "確認しました。" if confirm else "差し戻しました。")
    return redirect(report)


@require_safe
@staff_required
def due_list(request):
    """What is due and what is overdue, per department."""
    today = timezone.localdate()
    department = None
    value = request.GET.get("department", "")
    if value.isascii() and value.isdigit():  # "²" is a digit int() refuses
        department = Department.objects.filter(pk=int(value)).first()
    due = queries.due_reports(today, department=department, include_future=True)
    notes = follow_up.notes_due(department=department)
    submitted = ProgressReport.objects.filter(status=ProgressReport.Status.SUBMITTED)
    if department is not None:
        submitted = submitted.filter(entry__owner=department)
    followed = Department.objects.filter(
        Q(plan_entries__isnull=False) | Q(initiatives__in=follow_up.department_led())
    )
    return render(
        request,
        "plans/report_due.html",
        {
            "today": today,
            "overdue": [d for d in due if d.is_overdue(today)],
            "upcoming": [d for d in due if not d.is_overdue(today)],
            "notes_overdue": [n for n in notes if n.is_overdue(today)],
            "notes_upcoming": [n for n in notes if not n.is_overdue(today)],
            "submitted": submitted.select_related(
                "entry__initiative", "entry__owner", "entry__owner__parent"
            ).order_by("updated_at", "pk"),
            "department": department,
            "departments": followed.select_related("parent").distinct().order_by("order", "code"),
            "own": request.user.department,
        },
    )


@require_safe
@staff_required
def workbook_download(request):
    department = request.user.department
    handle = workbooks.build(department, timezone.localdate())
    stamp = timezone.localtime().strftime("%Y%m%d")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"progress-reports-{department.code}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_http_methods(["GET", "POST"])
@staff_required
def workbook_upload(request):
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    problems, total = [], 0
    if request.method == "POST" and form.is_valid():
        try:
            changes = workbooks.read(
                form.cleaned_data["workbook"],
                department=request.user.department,
                actor=request.user,
            )
            saved = workbooks.apply(changes, actor=request.user)
        except workbooks.WorkbookRejected as exc:
            problems, total = exc.problems, exc.total
        except services.PlanError as exc:
            problems, total = [workbooks.Problem("（全体）", 0, "-", str(exc))], 1
        else:
            messages.success(request, f"{saved}件の進捗報告を反映しました。")
            return redirect("plans:reports_due")
    return render(
        request,
        "plans/report_upload.html",
        {
            "form": form,
            "problems": problems,
            "problem_total": total,
            "errors": error_summary(form) if form.is_bound else [],
        },
    )
