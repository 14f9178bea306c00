"""API conventions shared by every app: pagination and the one error shape.

Every error answers ``{"code": ..., "detail": ...}``, adding ``fields`` for per-field messages
and any extra facts (``attempts_left``, ``retry_after``).  The same ``code``/``detail`` pair is
what the websocket protocol's ``error`` frame carries.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from campus_social.audit.services import audit_permission_denied
from campus_social.common.errors import ServiceError


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


# DRF's codes, renamed to the vocabulary the websocket protocol's error frames use too.
_CODES = {
    "permission_denied": "forbidden",
    "not_authenticated": "unauthenticated",
    "authentication_failed": "unauthenticated",
    "parse_error": "invalid",
    "throttled": "rate_limited",
}


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(key): [str(item) for item in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    return {"non_field_errors": [str(item) for item in detail]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if isinstance(exc, ServiceError):
        body: dict[str, Any] = {"code": exc.code, "detail": exc.message, **exc.extra}
        if exc.fields:
            body["fields"] = exc.fields
        if exc.status == 403 and request is not None:
            audit_permission_denied(request=request)
        headers = (
            {"Retry-After": str(exc.extra["retry_after"])} if "retry_after" in exc.extra else None
        )
        return Response(body, status=exc.status, headers=headers)

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": _("Some of the information is not valid. Please check it."),
            "fields": _flatten(exc.detail),
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = {"code": _CODES.get(code, code), "detail": str(exc.detail)}
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            response.data["code"] = "rate_limited"
            response.data["retry_after"] = int(wait) + 1
        if isinstance(exc, exceptions.PermissionDenied) and request is not None:
            audit_permission_denied(request=request)
    return response
