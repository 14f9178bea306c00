"""Small HTTP helpers shared by pages and the API."""

from django.conf import settings
from django.http import HttpResponseBase


def set_language_cookie(response: HttpResponseBase, language: str) -> None:
    """Remember the resident's language in this browser (read by ``LanguageMiddleware``)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
