"""The credential pages.  Included into ``frontend.urls`` (namespace ``frontend``); public."""

from django.urls import path

from frontend.credentials import views

urlpatterns = [
    path("credentials/verify/", views.credential_verify, name="credential-verify"),
]
