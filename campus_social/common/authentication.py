from django.http import HttpRequest
from rest_framework import authentication
from rest_framework.request import Request

from campus_social.identity.models import Resident


class AuthenticatedRequest(Request):
    """The type of ``request`` in an API view that requires a signed-in resident."""

    user: Resident


class AuthenticatedHttpRequest(HttpRequest):
    """The type of ``request`` in a page view behind ``login_required``."""

    user: Resident


class SessionAuthentication(authentication.SessionAuthentication):
    """Session cookies, answering 401 (not 403) to callers who are not signed in.

    DRF answers 401 only when the first authentication class names a ``WWW-Authenticate``
    challenge; plain session authentication names none.
    """

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="campus-social"'
