from django.urls import path

from frontend import messaging_views, notification_views, staff_views, views

app_name = "frontend"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_page, name="logout"),
    path("language/", views.language, name="language"),
    path("text-size/", views.text_size, name="text-size"),
    path("me/", views.my_page, name="my-page"),
    path("me/sessions/<int:session_id>/end/", views.session_end, name="session-end"),
    path("me/notifications/", notification_views.notification_list, name="notifications"),
    path(
        "me/notifications/read-all/",
        notification_views.notification_read_all,
        name="notifications-read-all",
    ),
    path(
        "me/notifications/<int:notification_id>/read/",
        notification_views.notification_read,
        name="notification-read",
    ),
    path(
        "me/notifications/settings/",
        notification_views.notification_settings,
        name="notification-settings",
    ),
    path("me/messages/", messaging_views.room_list, name="messages"),
    path(
        "me/messages/moderation/",
        messaging_views.moderation_queue,
        name="message-moderation",
    ),
    path(
        "me/messages/moderation/<int:room_id>/<int:seq>/",
        messaging_views.message_moderate,
        name="message-moderate",
    ),
    path("me/messages/<int:room_id>/", messaging_views.room_detail, name="message-room"),
    path("me/messages/<int:room_id>/read/", messaging_views.room_read, name="message-room-read"),
    path(
        "me/messages/<int:room_id>/report/",
        messaging_views.message_report,
        name="message-report",
    ),
    path("staff/", staff_views.staff_home, name="staff-home"),
    path("staff/residents/new/", staff_views.resident_new, name="staff-resident-new"),
    path("staff/residents/<int:resident_id>/", staff_views.resident_detail, name="staff-resident"),
    path(
        "staff/residents/<int:resident_id>/card/",
        staff_views.card_replace,
        name="staff-card-replace",
    ),
    path(
        "staff/residents/<int:resident_id>/active/",
        staff_views.resident_active,
        name="staff-resident-active",
    ),
    path("staff/cards/<int:card_id>/unlock/", staff_views.card_unlock, name="staff-card-unlock"),
    path("staff/devices/", staff_views.devices, name="staff-devices"),
    path(
        "staff/devices/<int:device_id>/deactivate/",
        staff_views.device_deactivate,
        name="staff-device-deactivate",
    ),
    path("staff/audit/", staff_views.audit_log, name="staff-audit"),
]
