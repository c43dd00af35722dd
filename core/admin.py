from django.contrib import admin

from .forms import ConstraintAwareModelForm
from .models import AuditEvent


class PortalAdmin(admin.ModelAdmin):
    """The admin of the portal's own models: a violated constraint is said in Japanese on
    its field (core.forms.ConstraintErrorsMixin)."""

    form = ConstraintAwareModelForm


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the services, never edited."""

    list_display = ("created_at", "action_label", "actor_name", "object_repr", "comment")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "actor_name", "comment")
    date_hierarchy = "created_at"
    list_select_related = ("content_type",)

    @admin.display(description="操作", ordering="action")
    def action_label(self, obj):
        return obj.action_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
