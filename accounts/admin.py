from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "department", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups", "department")
    list_select_related = ("department", "department__parent")
    search_fields = ("username", "last_name", "first_name", "email")
    fieldsets = (*BaseUserAdmin.fieldsets, ("所属", {"fields": ("department",)}))
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "department", "password1", "password2")},
        ),
    )

    @admin.display(description="氏名")
    def display_name(self, obj):
        return obj.display_name
