"""The admin site: Django's, entered through the portal's own sign-in, and closed to an account
that must use a second factor until it has (accounts.two_factor)."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import two_factor


class PortalAdminSite(admin.AdminSite):
    site_header = "DX推進ポータル 管理"
    site_title = "DX推進ポータル 管理"
    index_title = "マスタデータ・アカウントの管理"

    def has_permission(self, request):
        # The middleware already sends such a user to the second step; this holds even if a
        # deployment left the middleware out.
        return super().has_permission(request) and not two_factor.must_verify(request)

    def login(self, request, extra_context=None):
        # One sign-in page for the whole portal, with its throttling and second step. Someone
        # signed in without the admin's rights is refused here, not sent round to sign in again.
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
