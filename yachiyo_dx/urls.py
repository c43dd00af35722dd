from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from initiatives.urls import urlpatterns as initiative_patterns

from . import health, initiative_page, search, views

# The initiative's own page joins the proposals' namespace (see initiatives/urls.py).
initiatives = (
    [path("<int:pk>/", initiative_page.initiative_detail, name="detail"), *initiative_patterns],
    "initiatives",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search.search, name="search"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("policies/", include("policies.urls")),
    path("initiatives/", include(initiatives)),
    # 実施計画 and reports keep their addresses under /initiatives/.
    path("initiatives/", include("plans.urls")),
    path("reviews/", include("reviews.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("public/", include("public.urls")),
    path("notifications/", include("core.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

# A file name too long for the multipart parser gets a page that says so (errors.py).
handler400 = "yachiyo_dx.errors.bad_request"
