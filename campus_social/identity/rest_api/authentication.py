"""Card readers authenticate with ``Authorization: Device <key>``."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from campus_social.identity.models import ReaderDevice
from campus_social.identity.services import reader_device_authenticate


class ReaderDeviceAuthentication(authentication.BaseAuthentication):
    keyword = "Device"

    def authenticate(self, request: Request) -> tuple[Any, ReaderDevice] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        keyword, _sep, key = header.partition(" ")
        if keyword != self.keyword:
            return None
        device = reader_device_authenticate(key=key.strip())
        if device is None:
            raise exceptions.AuthenticationFailed(_("This card reader is not registered."))
        return AnonymousUser(), device

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class IsReaderDevice(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, ReaderDevice)
