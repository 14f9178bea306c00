from django.urls import path

from frontend import staff_views, views

app_name = "frontend"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_page, name="logout"),
    path("language/", views.language, name="language"),
    path("text-size/", views.text_size, name="text-size"),
    path("me/", views.my_page, name="my-page"),
    path("me/sessions/<int:session_id>/end/", views.session_end, name="session-end"),
    path("staff/", staff_views.staff_home, name="staff-home"),
    path("staff/residents/new/", staff_views.resident_new, name="staff-resident-new"),
    path("staff/residents/<int:resident_id>/", staff_views.resident_detail, name="staff-resident"),
    path(
        "staff/residents/<int:resident_id>/card/",
        staff_views.card_replace,
        name="staff-card-replace",
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
