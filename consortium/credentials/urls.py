"""The issuer's public documents, at stable addresses at the root (they are named in every
credential issued, so they never move)."""

from django.urls import path

from consortium.credentials import views

app_name = "credentials"

urlpatterns = [
    path("credentials/issuer", views.issuer, name="issuer"),
    path("credentials/jwks.json", views.jwks, name="jwks"),
    path("credentials/status/<uuid:credential_uuid>", views.status, name="status"),
    path("credentials/contexts/<str:name>", views.context, name="context"),
]
