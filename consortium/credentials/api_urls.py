"""The verification API, under /api/v1/."""

from django.urls import path

from consortium.credentials import views

app_name = "credentials-api"

urlpatterns = [path("credentials/verify/", views.VerifyApi.as_view(), name="verify")]
