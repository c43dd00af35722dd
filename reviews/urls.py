from django.urls import path

from .views import consolidation, meetings, review

app_name = "reviews"
urlpatterns = [
    path("", review.inbox, name="inbox"),
    path("initiatives/<int:pk>/", review.review, name="review"),
    path("initiatives/<int:pk>/start/", review.start_review, name="start"),
    path("initiatives/<int:pk>/return/", review.return_initiative, name="return"),
    path("initiatives/<int:pk>/checklist/", review.save_review, name="checklist"),
    path("initiatives/<int:pk>/classify/", review.classify, name="classify"),
    path("consolidate/", consolidation.consolidate, name="consolidate"),
    path(
        "initiatives/<int:pk>/unconsolidate/",
        consolidation.undo_consolidation,
        name="unconsolidate",
    ),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/update/", meetings.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/print/", meetings.meeting_print, name="meeting_print"),
    path("meetings/<int:pk>/meeting.ics", meetings.meeting_calendar, name="meeting_ics"),
    path("meetings/<int:pk>/agenda/", meetings.agenda_add, name="agenda_add"),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/opinion/",
        meetings.record_opinion,
        name="opinion",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/decision/",
        meetings.record_decision,
        name="decision",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/opinion/correct/",
        meetings.correct_opinion,
        name="opinion_correct",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/decision/correct/",
        meetings.correct_decision,
        name="decision_correct",
    ),
    path(
        "meetings/<int:pk>/attachments/<int:attachment_pk>/",
        meetings.meeting_attachment,
        name="meeting_attachment",
    ),
]
