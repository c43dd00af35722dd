"""The citizens' pages (no login): mounted at /public/."""

from django.urls import path

from initiatives.views import publication

from . import views

app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    path("initiatives/<int:pk>/", views.detail, name="detail"),
    path("opendata/", views.opendata, name="opendata"),
    path("opendata.csv", views.opendata_csv, name="opendata_csv"),
    path("opendata.json", views.opendata_json, name="opendata_json"),
    # The secretariat only (login required): what the public pages show of an initiative. A write on
    # the initiative, so its view lives with the proposals; its URL stays beside the pages.
    path("manage/<int:pk>/", publication.manage, name="manage"),
]
