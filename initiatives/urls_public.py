"""The citizens' pages (no login): mounted at /public/."""

from django.urls import path

from .views import public as views

app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    path("initiatives/<int:pk>/", views.detail, name="detail"),
    path("opendata/", views.opendata, name="opendata"),
    path("opendata.csv", views.opendata_csv, name="opendata_csv"),
    path("opendata.json", views.opendata_json, name="opendata_json"),
    # 情報政策課 only (login required).
    path("manage/<int:pk>/", views.manage, name="manage"),
]
