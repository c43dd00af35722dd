from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import audit

from . import two_factor
from .models import User
from .sessions import end_sessions

# django-otp's own screens would show a person's secret key; 管理者 only ever resets devices.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

PERSONAL = ("first_name", "last_name", "email")
# What the 管理者 sets on an account: who it is, where it works and what it does. Django's own
# rights (superuser, individual permissions) are for superusers only.
ROLES = ("department", "dx_promoter", "in_secretariat", "bodies", "is_active", "is_staff", "groups")
SUPERUSER_ONLY = ("is_superuser", "user_permissions")

audit.register({"account.sessions_ended": "ログインの終了（管理者による）"})


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "display_name",
        "department",
        "in_secretariat",
        "dx_promoter",
        "is_active",
        "is_staff",
    )
    list_filter = ("is_active", "in_secretariat", "dx_promoter", "bodies", "department")
    list_select_related = ("department", "department__parent")
    search_fields = ("username", "last_name", "first_name", "email")
    filter_horizontal = ("bodies", "groups", "user_permissions")
    actions = ["end_sessions", "reset_two_factor"]
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", *PERSONAL, "department", "password1", "password2"),
            },
        ),
        ("役割", {"fields": ("dx_promoter", "in_secretariat", "bodies")}),
    )

    @admin.action(
        description="選んだアカウントのログインを終了させる（セッションを削除）",
        permissions=["change"],
    )
    def end_sessions(self, request, queryset):
        queryset = self._changeable(request, queryset)
        ended = 0
        for user in queryset:
            with transaction.atomic():
                n = end_sessions(user)
                audit.record(
                    actor=request.user,
                    action="account.sessions_ended",
                    obj=user,
                    after={"sessions": n},
                )
            ended += n
        self.message_user(
            request, f"{queryset.count()}件のアカウントの、{ended}件のログインを終了させました。"
        )

    @admin.action(
        description="選んだアカウントの二段階認証をリセットする（スマートフォンをなくしたとき）",
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        queryset = self._changeable(request, queryset)
        for user in queryset:
            two_factor.reset(user, actor=request.user)
        self.message_user(
            request,
            f"{queryset.count()}件のアカウントの二段階認証をリセットし、ログインを終了させました。"
            "次のログインで登録し直します。",
        )

    def _changeable(self, request, queryset):
        """Actions are checked without an object: a superuser's account is still changed only by
        a superuser (has_change_permission), so theirs are left out and said so."""
        if request.user.is_superuser or not queryset.filter(is_superuser=True).exists():
            return queryset
        self.message_user(
            request,
            "スーパーユーザーのアカウントは、スーパーユーザーだけが操作できます（対象から外しました）。",
            messages.WARNING,
        )
        return queryset.filter(is_superuser=False)

    @admin.display(description="氏名")
    def display_name(self, obj):
        return obj.display_name

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        sets = [
            (None, {"fields": ("username", "password")}),
            ("氏名・連絡先", {"fields": PERSONAL}),
            ("所属と役割", {"fields": ROLES}),
            ("記録", {"fields": ("last_login", "date_joined")}),
        ]
        if request.user.is_superuser:
            sets.insert(3, ("Djangoの権限（スーパーユーザーのみ）", {"fields": SUPERUSER_ONLY}))
        return sets

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined"]
        return readonly if request.user.is_superuser else [*readonly, *SUPERUSER_ONLY]

    def has_change_permission(self, request, obj=None):
        # A superuser's account is changed only by a superuser: nobody else can take it over.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if obj.is_superuser and not request.user.is_superuser:
            raise PermissionDenied(
                "スーパーユーザーを作成・変更できるのはスーパーユーザーだけです。"
            )
        super().save_model(request, obj, form, change)
