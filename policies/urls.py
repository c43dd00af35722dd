from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.edition_list, name="editions"),
    path("glossary/", views.glossary, name="glossary"),
    path("<slug:code>/", views.edition_detail, name="edition"),
    path("<slug:code>/<int:number>/", views.policy_detail, name="policy"),
]
