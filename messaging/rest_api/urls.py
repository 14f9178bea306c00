from django.urls import path

from messaging.rest_api import views

app_name = "messaging"

urlpatterns = [
    path("rooms/", views.RoomListApi.as_view(), name="rooms"),
    path("rooms/direct/", views.DirectRoomApi.as_view(), name="direct-room"),
    path("rooms/<int:room_id>/", views.RoomApi.as_view(), name="room"),
    path("rooms/<int:room_id>/messages/", views.MessageListApi.as_view(), name="messages"),
    path(
        "rooms/<int:room_id>/messages/<int:seq>/",
        views.MessageApi.as_view(),
        name="message",
    ),
    path(
        "rooms/<int:room_id>/messages/<int:seq>/report/",
        views.MessageReportApi.as_view(),
        name="message-report",
    ),
    path(
        "rooms/<int:room_id>/messages/<int:seq>/moderate/",
        views.MessageModerateApi.as_view(),
        name="message-moderate",
    ),
    path(
        "rooms/<int:room_id>/messages/<int:seq>/history/",
        views.MessageHistoryApi.as_view(),
        name="message-history",
    ),
    path("rooms/<int:room_id>/read/", views.ReadApi.as_view(), name="read"),
    path(
        "rooms/<int:room_id>/members/<int:resident_id>/mute/",
        views.MemberMuteApi.as_view(),
        name="member-mute",
    ),
    path(
        "rooms/<int:room_id>/moderation-log/",
        views.ModerationLogApi.as_view(),
        name="moderation-log",
    ),
    path("moderation/reports/", views.ReportQueueApi.as_view(), name="report-queue"),
]
