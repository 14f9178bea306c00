"""Small helpers every area's page views share: reading an id from a form, and where a form
may send the browser back to (``next``)."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def form_id(value: object) -> int | None:
    """A positive id from a form value, else ``None``."""
    if isinstance(value, str) and value.isdigit() and 0 < len(value) < 19:
        return int(value)
    return None


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """``candidate`` when it is a path on this site, else the empty string."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""
