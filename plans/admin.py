"""Admin for what the 管理者 sets up: 実施計画 editions and report due dates."""

from django.contrib import admin

from core.admin import PortalAdmin

from .models import ImplementationPlan, ReportSchedule


@admin.register(ImplementationPlan)
class ImplementationPlanAdmin(PortalAdmin):
    list_display = ("title", "measure", "start_fiscal_year", "end_fiscal_year")
    list_filter = ("measure",)
    search_fields = ("title",)
    list_select_related = ("measure",)


@admin.register(ReportSchedule)
class ReportScheduleAdmin(PortalAdmin):
    list_display = ("fiscal_year", "period", "due_on")
    list_filter = ("period",)
    search_fields = ("fiscal_year",)
