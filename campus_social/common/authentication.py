from rest_framework import authentication
from rest_framework.request import Request


class SessionAuthentication(authentication.SessionAuthentication):
    """Session cookies, answering 401 (not 403) to callers who are not signed in.

    DRF answers 401 only when the first authentication class names a ``WWW-Authenticate``
    challenge; plain session authentication names none.
    """

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="campus-social"'
