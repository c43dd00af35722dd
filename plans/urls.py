"""実施計画 and PDCA reports: mounted under /initiatives/ beside the proposals, as before."""

from django.urls import path

from .views import notes as note_views
from .views import plans as views
from .views import reports as report_views

app_name = "plans"
urlpatterns = [
    # 実施計画
    path("plans/", views.plan_index, name="plans"),
    path("plans/continuing/", views.register_continuing, name="plan_continuing"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/export.xlsx", views.plan_export, {"fmt": "xlsx"}, name="plan_xlsx"),
    path("plans/<int:pk>/export.csv", views.plan_export, {"fmt": "csv"}, name="plan_csv"),
    path("<int:pk>/place/", views.place, name="place"),
    path("plan-entries/<int:entry_pk>/revise/", views.revise, name="revise"),
    # 進捗報告（PDCA）
    path(
        "plan-entries/<int:entry_pk>/reports/<int:fiscal_year>/<slug:period>/",
        report_views.report_edit,
        name="report_edit",
    ),
    # 所管課推進の進捗の記録
    path("<int:pk>/notes/add/", note_views.note_add, name="note_add"),
    path("reports/due/", report_views.due_list, name="reports_due"),
    path("reports/workbook.xlsx", report_views.workbook_download, name="reports_workbook"),
    path("reports/upload/", report_views.workbook_upload, name="reports_upload"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/<int:pk>/submit/", report_views.report_submit, name="report_submit"),
    path("reports/<int:pk>/review/", report_views.report_review, name="report_review"),
]
