"""The resident's notification pages.  Included into ``frontend.urls`` (namespace ``frontend``)."""

from django.urls import path

from frontend.notifications import views

urlpatterns = [
    path("me/notifications/", views.notification_list, name="notifications"),
    path(
        "me/notifications/read-all/",
        views.notification_read_all,
        name="notifications-read-all",
    ),
    path(
        "me/notifications/<id:notification_id>/read/",
        views.notification_read,
        name="notification-read",
    ),
    path(
        "me/notifications/settings/",
        views.notification_settings,
        name="notification-settings",
    ),
]
