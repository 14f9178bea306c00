from django.urls import path

from campus_social.checkin.rest_api import views

app_name = "checkin"

urlpatterns = [
    path("attendance/card/", views.CardCheckInApi.as_view(), name="card-attendance"),
]
