from django.urls import path

from .views import plans as plan_views
from .views import proposals as views
from .views import reports as report_views

app_name = "initiatives"
urlpatterns = [
    path("", views.initiative_list, name="list"),
    path("mine/", views.initiative_list, {"scope": "mine"}, name="mine"),
    path("department/", views.initiative_list, {"scope": "department"}, name="department"),
    *(
        path(
            f"{prefix}export.{fmt}",
            views.initiative_export,
            {"scope": scope, "fmt": fmt},
            name=f"export_{scope}_{fmt}",
        )
        for scope, prefix in (("all", ""), ("mine", "mine/"), ("department", "department/"))
        for fmt in ("xlsx", "csv")
    ),
    path("new/", views.initiative_create, name="create"),
    path("<int:pk>/", views.initiative_detail, name="detail"),
    path("<int:pk>/edit/", views.initiative_edit, name="edit"),
    path("<int:pk>/submit/", views.initiative_submit, name="submit"),
    path("<int:pk>/withdraw/", views.initiative_withdraw, name="withdraw"),
    path("<int:pk>/transition/<slug:target>/", views.initiative_transition, name="transition"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    # 実施計画
    path("plans/", plan_views.plan_index, name="plans"),
    path("plans/continuing/", plan_views.register_continuing, name="plan_continuing"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan"),
    path("plans/<int:pk>/export.xlsx", plan_views.plan_export, {"fmt": "xlsx"}, name="plan_xlsx"),
    path("plans/<int:pk>/export.csv", plan_views.plan_export, {"fmt": "csv"}, name="plan_csv"),
    path("<int:pk>/place/", plan_views.place, name="place"),
    path("plan-entries/<int:entry_pk>/revise/", plan_views.revise, name="revise"),
    # 進捗報告（PDCA）
    path(
        "plan-entries/<int:entry_pk>/reports/<int:fiscal_year>/<slug:period>/",
        report_views.report_edit,
        name="report_edit",
    ),
    path("reports/due/", report_views.due_list, name="reports_due"),
    path("reports/workbook.xlsx", report_views.workbook_download, name="reports_workbook"),
    path("reports/upload/", report_views.workbook_upload, name="reports_upload"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/<int:pk>/submit/", report_views.report_submit, name="report_submit"),
    path("reports/<int:pk>/review/", report_views.report_review, name="report_review"),
]
