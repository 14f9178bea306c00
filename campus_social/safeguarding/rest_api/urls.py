from django.urls import path

from campus_social.safeguarding.rest_api import views

app_name = "safeguarding"

urlpatterns = [
    path(
        "staff/residents/<id:resident_id>/vetting/",
        views.StaffResidentVettingApi.as_view(),
        name="staff-resident-vetting",
    ),
]
