"""API conventions shared by every app: pagination and the one error shape.

Every error answers ``{"code": ..., "detail": ...}``, adding ``fields`` for per-field messages
and any extra facts (``attempts_left``, ``retry_after``).  The same ``code``/``detail`` pair is
what the websocket protocol's ``error`` frame carries.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, renderers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from campus_social.audit.services import audit_permission_denied
from campus_social.common.errors import ServiceError


class Pagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most 100: a larger size gets 100).  Either one not a
    whole number of at least 1 answers 400 naming it; a page past the last answers 404."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        for name in (self.page_query_param, self.page_size_query_param):
            _positive_integer(request, name)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = _doc_page_size
        return parameters


_doc_page_size = "How many results per page (1–100; a larger size gets 100)."


def paginated(
    view: Any,
    request: Request,
    items: Any,
    output: type[serializers.BaseSerializer[Any]],
    *,
    context: dict[str, Any] | None = None,
) -> Response:
    """One page of ``items`` rendered by ``output`` (with the request in its context), in the
    envelope every list route answers: ``count``, ``next``, ``previous``, ``results``."""
    paginator = Pagination()
    page = paginator.paginate_queryset(items, request, view=view)
    data = output(page, many=True, context={"request": request, **(context or {})}).data
    return paginator.get_paginated_response(data)


def _positive_integer(request: Request, name: str) -> None:
    """Refuses ``?name=`` unless it is absent or a whole number of at least 1."""
    raw = request.query_params.get(name)
    if raw is None or (raw.isascii() and raw.isdigit() and int(raw) >= 1):
        return
    raise exceptions.ValidationError({name: [_("Enter a whole number of at least 1.")]})


class BooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false`` — not ``0``, ``"yes"`` or ``"on"``, which DRF's own field
    also takes and the description does not allow.  A form or multipart body has only text, so
    there the usual ``"true"``/``"false"`` words still count."""

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool) or isinstance(
            getattr(self.root, "initial_data", None), QueryDict
        ):
            return bool(super().to_internal_value(data))
        self.fail("invalid", input=data)
        raise AssertionError("unreachable")  # fail() raises; mypy cannot see it


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


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """No route: the error shape under ``/api/`` (API clients parse JSON, and the OpenAPI
    description promises it), else the site's page (named in ``PAGE_NOT_FOUND_VIEW``)."""
    if request.path.startswith("/api/"):
        body = {"code": "not_found", "detail": str(exceptions.NotFound.default_detail)}
        return JsonResponse(body, status=404)
    page: Callable[..., HttpResponse] = import_string(settings.PAGE_NOT_FOUND_VIEW)
    return page(request, exception)


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


class DistrictOutput(serializers.Serializer):
    """A district as offerings and circles embed it (``GET /api/v1/districts/`` lists more)."""

    slug = serializers.CharField()
    name = serializers.CharField()


class FileRenderer(renderers.BaseRenderer):
    """Lets clients that ask only for a file's media type (set by a subclass) through content
    negotiation.  The views answer their own ``HttpResponse`` with the file; an error is the one
    error shape in JSON, as the OpenAPI description promises, whatever the client asked for."""

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, str):
            return data.encode()
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return renderers.JSONRenderer().render(data)


class ICalendarRenderer(FileRenderer):
    """Calendar clients that ask only for ``text/calendar``."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"
