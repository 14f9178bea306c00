"""Registrars' systems authenticate with ``Authorization: Bearer <key>``, the key a registrar
made for their university (``services.system_token_create``).  The caller is the university's
system, not a resident: ``request.user`` stays anonymous and ``request.auth`` is the token.
Only the systems routes and the CSV export accept it."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from campus_social.identity.models import Resident
from consortium import services
from consortium.models import RegistrarSystemToken


class SystemTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, RegistrarSystemToken] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        keyword, _sep, key = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        token = services.system_token_authenticate(key=key.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is unknown or revoked."))
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="consortium"'


class IsSystemToken(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, RegistrarSystemToken)


class IsResidentOrSystemToken(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.user, Resident) or isinstance(request.auth, RegistrarSystemToken)


class SystemTokenScheme(OpenApiAuthenticationExtension):
    target_class = SystemTokenAuthentication
    name = "registrarSystem"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A registrar's system sends `Bearer <key>`, the key a registrar "
            "made for the university (POST /api/v1/consortium/universities/{id}/tokens/).",
        }
