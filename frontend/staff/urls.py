"""Every city-staff page.  Included into ``frontend.urls`` (namespace ``frontend``)."""

from django.urls import path

from frontend.staff import circle_views, lecturer_views, views

urlpatterns = [
    path("staff/circles/", circle_views.staff_circles, name="staff-circles"),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/residents/new/", views.resident_new, name="staff-resident-new"),
    path("staff/residents/<id:resident_id>/", views.resident_detail, name="staff-resident"),
    path(
        "staff/residents/<id:resident_id>/card/",
        views.card_replace,
        name="staff-card-replace",
    ),
    path(
        "staff/residents/<id:resident_id>/active/",
        views.resident_active,
        name="staff-resident-active",
    ),
    path(
        "staff/residents/<id:resident_id>/vetting/",
        views.resident_vetting,
        name="staff-resident-vetting",
    ),
    path("staff/cards/<id:card_id>/unlock/", views.card_unlock, name="staff-card-unlock"),
    path("staff/devices/", views.devices, name="staff-devices"),
    path(
        "staff/devices/<id:device_id>/deactivate/",
        views.device_deactivate,
        name="staff-device-deactivate",
    ),
    path("staff/audit/", views.audit_log, name="staff-audit"),
    path("staff/lecturers/", lecturer_views.lecturer_queue, name="staff-lecturers"),
    path(
        "staff/lecturers/<id:lecturer_id>/decide/",
        lecturer_views.lecturer_decide,
        name="staff-lecturer-decide",
    ),
    path(
        "staff/lecturers/<id:lecturer_id>/vetting/",
        lecturer_views.lecturer_vetting,
        name="staff-lecturer-vetting",
    ),
]
