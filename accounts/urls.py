from django.urls import path

from . import views

app_name = "two_factor"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("setup/", views.setup, name="setup"),
    path("verify/", views.verify, name="verify"),
    path("recovery-codes/", views.codes, name="codes"),
    path("disable/", views.disable, name="disable"),
]
