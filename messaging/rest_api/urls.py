from django.urls import path

from messaging.rest_api import views

app_name = "messaging"

urlpatterns = [
    path("rooms/", views.RoomListApi.as_view(), name="rooms"),
    path("rooms/direct/", views.DirectRoomApi.as_view(), name="direct-room"),
    path("rooms/<id:room_id>/", views.RoomApi.as_view(), name="room"),
    path("rooms/<id:room_id>/messages/", views.MessageListApi.as_view(), name="messages"),
    path(
        "rooms/<id:room_id>/messages/<id:seq>/",
        views.MessageApi.as_view(),
        name="message",
    ),
    path(
        "rooms/<id:room_id>/messages/<id:seq>/report/",
        views.MessageReportApi.as_view(),
        name="message-report",
    ),
    path(
        "rooms/<id:room_id>/messages/<id:seq>/moderate/",
        views.MessageModerateApi.as_view(),
        name="message-moderate",
    ),
    path(
        "rooms/<id:room_id>/messages/<id:seq>/history/",
        views.MessageHistoryApi.as_view(),
        name="message-history",
    ),
    path("rooms/<id:room_id>/read/", views.ReadApi.as_view(), name="read"),
    path(
        "rooms/<id:room_id>/members/<id:resident_id>/mute/",
        views.MemberMuteApi.as_view(),
        name="member-mute",
    ),
    path(
        "rooms/<id:room_id>/moderation-log/",
        views.ModerationLogApi.as_view(),
        name="moderation-log",
    ),
    path("moderation/reports/", views.ReportQueueApi.as_view(), name="report-queue"),
]
