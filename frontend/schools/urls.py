"""The schools pages: a coordinator's pupils, a guardian's "link my child".  Included into
``frontend.urls`` (namespace ``frontend``)."""

from django.urls import path

from frontend.schools import views

urlpatterns = [
    path("schools/", views.school_home, name="schools"),
    path("schools/link-child/", views.link_my_child, name="link-my-child"),
    path("schools/<id:school_id>/pupils/", views.pupils, name="school-pupils"),
    path(
        "schools/<id:school_id>/pupils/<id:child_id>/",
        views.pupil_update,
        name="school-pupil-update",
    ),
    path(
        "schools/<id:school_id>/pupils/<id:child_id>/guardians/",
        views.pupil_guardian_link,
        name="school-pupil-guardian",
    ),
    path(
        "schools/guardian-requests/<id:request_id>/confirm/",
        views.guardian_request_confirm,
        name="guardian-request-confirm",
    ),
    path(
        "schools/guardian-requests/<id:request_id>/decline/",
        views.guardian_request_decline,
        name="guardian-request-decline",
    ),
]
