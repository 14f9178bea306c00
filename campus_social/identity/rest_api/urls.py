from django.urls import path

from campus_social.identity.rest_api import schools, views

app_name = "identity"

urlpatterns = [
    path("auth/card/", views.CardLoginApi.as_view(), name="card-login"),
    path("auth/logout/", views.LogoutApi.as_view(), name="logout"),
    path("me/", views.MeApi.as_view(), name="me"),
    path("me/language/", views.MyLanguageApi.as_view(), name="my-language"),
    path("me/sessions/", views.MySessionListApi.as_view(), name="my-sessions"),
    path("me/sessions/<id:session_id>/", views.MySessionApi.as_view(), name="my-session"),
    path("staff/residents/", views.StaffResidentListApi.as_view(), name="staff-residents"),
    path(
        "staff/residents/<id:resident_id>/",
        views.StaffResidentApi.as_view(),
        name="staff-resident",
    ),
    path(
        "staff/residents/<id:resident_id>/active/",
        views.StaffResidentActiveApi.as_view(),
        name="staff-resident-active",
    ),
    path(
        "staff/residents/<id:resident_id>/cards/",
        views.StaffResidentCardListApi.as_view(),
        name="staff-resident-cards",
    ),
    path(
        "staff/cards/<id:card_id>/unlock/",
        views.StaffCardUnlockApi.as_view(),
        name="staff-card-unlock",
    ),
    path("staff/devices/", views.StaffReaderDeviceListApi.as_view(), name="staff-devices"),
    path(
        "staff/devices/<id:device_id>/",
        views.StaffReaderDeviceApi.as_view(),
        name="staff-device",
    ),
    path("devices/me/", views.ReaderDeviceMeApi.as_view(), name="device-me"),
    path("districts/", views.DistrictListApi.as_view(), name="districts"),
    path("schools/", schools.SchoolListApi.as_view(), name="schools"),
    path(
        "schools/<id:school_id>/pupils/",
        schools.SchoolPupilListApi.as_view(),
        name="school-pupils",
    ),
    path(
        "schools/<id:school_id>/pupils/<id:child_id>/",
        schools.SchoolPupilApi.as_view(),
        name="school-pupil",
    ),
    path(
        "schools/<id:school_id>/pupils/<id:child_id>/guardians/",
        schools.SchoolPupilGuardianApi.as_view(),
        name="school-pupil-guardians",
    ),
    path(
        "schools/<id:school_id>/guardian-requests/",
        schools.SchoolGuardianRequestListApi.as_view(),
        name="school-guardian-requests",
    ),
    path(
        "guardian-requests/<id:request_id>/confirm/",
        schools.GuardianRequestConfirmApi.as_view(),
        name="guardian-request-confirm",
    ),
    path(
        "guardian-requests/<id:request_id>/decline/",
        schools.GuardianRequestDeclineApi.as_view(),
        name="guardian-request-decline",
    ),
    path(
        "me/guardian-requests/",
        schools.MyGuardianRequestListApi.as_view(),
        name="my-guardian-requests",
    ),
    path("children/<id:child_id>/school/", schools.ChildSchoolApi.as_view(), name="child-school"),
]
