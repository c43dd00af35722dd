from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("initiatives/<int:pk>/", views.review, name="review"),
    path("initiatives/<int:pk>/start/", views.start_review, name="start"),
    path("initiatives/<int:pk>/return/", views.return_initiative, name="return"),
    path("initiatives/<int:pk>/checklist/", views.save_review, name="checklist"),
    path("initiatives/<int:pk>/classify/", views.classify, name="classify"),
    path("consolidate/", views.consolidate, name="consolidate"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/update/", views.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/opinion/", views.record_opinion, name="opinion"),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/decision/", views.record_decision, name="decision"
    ),
    path(
        "meetings/<int:pk>/attachments/<int:attachment_pk>/",
        views.meeting_attachment,
        name="meeting_attachment",
    ),
]
