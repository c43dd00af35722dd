from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health, views

admin.site.site_header = "DX推進ポータル 管理"
admin.site.site_title = "DX推進ポータル 管理"
admin.site.index_title = "マスタデータ・アカウントの管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("policies/", include("policies.urls")),
    path("initiatives/", include("initiatives.urls")),
    path("reviews/", include("reviews.urls")),
    path("dashboard/", include("initiatives.urls_dashboard")),
    path("public/", include("initiatives.urls_public")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
