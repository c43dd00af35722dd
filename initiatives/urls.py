"""Proposals. The initiative's own page (`initiatives:detail`) shows the review and the plan
beside the proposal, so it is composed one floor up and added to this namespace in
yachiyo_dx/urls.py."""

from django.urls import path

from .views import actions, proposals

app_name = "initiatives"
urlpatterns = [
    path("", proposals.initiative_list, name="list"),
    path("mine/", proposals.initiative_list, {"scope": "mine"}, name="mine"),
    path("department/", proposals.initiative_list, {"scope": "department"}, name="department"),
    *(
        path(
            f"{prefix}export.{fmt}",
            proposals.initiative_export,
            {"scope": scope, "fmt": fmt},
            name=f"export_{scope}_{fmt}",
        )
        for scope, prefix in (("all", ""), ("mine", "mine/"), ("department", "department/"))
        for fmt in ("xlsx", "csv")
    ),
    path("new/", proposals.initiative_create, name="create"),
    path("<int:pk>/edit/", proposals.initiative_edit, name="edit"),
    path("<int:pk>/submit/", actions.initiative_submit, name="submit"),
    path("<int:pk>/withdraw/", actions.initiative_withdraw, name="withdraw"),
    path("<int:pk>/transition/<slug:target>/", actions.initiative_transition, name="transition"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        actions.attachment_download,
        name="attachment",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/",
        actions.attachment_delete,
        name="attachment_delete",
    ),
]
