"""The citizens' pages (no login): mounted at /public/."""

from django.urls import path  # noqa: F401

app_name = "public"
urlpatterns = []
