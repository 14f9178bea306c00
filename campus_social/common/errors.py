"""The errors services raise.  Pages show their message; the API turns them into one shape.

A service error carries a stable machine ``code``, a human ``message`` already in the
resident's language (services use ``gettext``), optional per-field messages, and any extra
facts a client needs (``attempts_left``).  ``status`` is the HTTP status the API answers with.
"""

from typing import Any


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code
        self.fields = fields or {}
        self.extra = extra


class Invalid(ServiceError):
    """The input is wrong; nothing was changed."""


class Unauthenticated(ServiceError):
    status = 401
    code = "unauthenticated"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    """The object does not exist, or the acting resident may not know that it does."""

    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class Locked(ServiceError):
    status = 423
    code = "locked"


class RateLimited(ServiceError):
    """Too many attempts; ``retry_after`` (seconds) says when to try again."""

    status = 429
    code = "rate_limited"
