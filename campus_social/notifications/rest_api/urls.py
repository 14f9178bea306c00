from django.urls import path

from campus_social.notifications.rest_api import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.NotificationListApi.as_view(), name="list"),
    path("notifications/read-all/", views.NotificationReadAllApi.as_view(), name="read-all"),
    path(
        "notifications/<id:notification_id>/read/",
        views.NotificationReadApi.as_view(),
        name="read",
    ),
    path(
        "me/notification-preferences/",
        views.MyNotificationPreferenceListApi.as_view(),
        name="preferences",
    ),
    path(
        "me/notification-preferences/<str:kind>/",
        views.MyNotificationPreferenceApi.as_view(),
        name="preference",
    ),
]
