"""The resident's message pages.  Included into ``frontend.urls`` (namespace ``frontend``)."""

from django.urls import path

from frontend.messaging import views

urlpatterns = [
    path("me/messages/", views.room_list, name="messages"),
    path(
        "me/messages/moderation/",
        views.moderation_queue,
        name="message-moderation",
    ),
    path(
        "me/messages/moderation/<id:room_id>/<id:seq>/",
        views.message_moderate,
        name="message-moderate",
    ),
    path("me/messages/<id:room_id>/", views.room_detail, name="message-room"),
    path("me/messages/<id:room_id>/read/", views.room_read, name="message-room-read"),
    path(
        "me/messages/<id:room_id>/report/",
        views.message_report,
        name="message-report",
    ),
]
