"""Dashboards for 情報政策課 and the HQ: mounted at /dashboard/."""

from django.urls import path  # noqa: F401

app_name = "dashboard"
urlpatterns = []
