"""Admin for what the 管理者 sets up: 実施計画 editions and report due dates. Initiatives
themselves change only through the portal's audited services, so they are read-only here."""

from django.contrib import admin

from .models import ImplementationPlan, OwnershipTransfer, ReportSchedule


@admin.register(ImplementationPlan)
class ImplementationPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "measure", "start_fiscal_year", "end_fiscal_year")
    list_filter = ("measure",)
    search_fields = ("title",)
    list_select_related = ("measure",)


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    list_display = ("fiscal_year", "period", "due_on")
    list_filter = ("period",)
    search_fields = ("fiscal_year",)


@admin.register(OwnershipTransfer)
class OwnershipTransferAdmin(admin.ModelAdmin):
    """Read-only: transfers are written by the reorganisation service."""

    list_display = ("created_at", "source", "target", "actor")
    list_filter = ("target",)
    search_fields = ("reason", "source__name", "target__name")
    list_select_related = ("source", "target", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
