from django.urls import path

from .views import proposals as views

app_name = "initiatives"
urlpatterns = [
    path("", views.initiative_list, name="list"),
    path("mine/", views.initiative_list, {"scope": "mine"}, name="mine"),
    path("department/", views.initiative_list, {"scope": "department"}, name="department"),
    *(
        path(
            f"{prefix}export.{fmt}",
            views.initiative_export,
            {"scope": scope, "fmt": fmt},
            name=f"export_{scope}_{fmt}",
        )
        for scope, prefix in (("all", ""), ("mine", "mine/"), ("department", "department/"))
        for fmt in ("xlsx", "csv")
    ),
    path("new/", views.initiative_create, name="create"),
    path("<int:pk>/", views.initiative_detail, name="detail"),
    path("<int:pk>/edit/", views.initiative_edit, name="edit"),
    path("<int:pk>/submit/", views.initiative_submit, name="submit"),
    path("<int:pk>/withdraw/", views.initiative_withdraw, name="withdraw"),
    path("<int:pk>/transition/<slug:target>/", views.initiative_transition, name="transition"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]
