"""How the API describes itself: our authentication classes, and the one error shape on every
operation that can answer it.

``AutoSchema`` documents the errors from what each view is, so no view needs a decorator for
them and a new route is described like the others:

- any operation that needs a signed-in caller (or a card reader) can answer 401 and 403 (a
  missing sign-in, a role it lacks, a missing CSRF token);
- one with path parameters, a request body (which may name other objects) or pages can answer
  404;
- one with a body or query parameters can answer 400, and with a body 413 (over the body limit);
- a signed-in write (POST, PUT, PATCH, DELETE) can answer 409 (the state does not allow it).

Rarer answers (423 for a locked card, 429 for too many attempts) a view lists itself with
``extend_schema(responses={423: ERROR, ...})``; each gets the same error body.
"""

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import ResolvedComponent, force_instance, is_basic_serializer
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from campus_social.common.text import TextField, text_pattern

_WRITES = {"POST", "PUT", "PATCH", "DELETE"}
_BODIES = {"POST", "PUT", "PATCH"}
_WHY = {
    400: "The input is not valid (``invalid``, with ``fields``) or the service refused it.",
    401: "Not signed in (``unauthenticated``).",
    403: "Signed in, but not allowed (``forbidden`` or a more precise code).",
    404: "Not found, or not visible to the caller (``not_found``).",
    409: "The current state does not allow it (a ``code`` saying why).",
    413: "The body is over the size limit (``too_large``).",
    423: "Locked (``card_locked``).",
    429: "Too many attempts (``rate_limited``, with ``retry_after`` seconds).",
}


# Every error the API answers: a stable ``code``, a ``detail`` in the caller's language,
# ``fields`` for invalid input, and any extra facts (``attempts_left``, ``retry_after``).
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "detail"],
}

# For views that list a rarer error themselves (``responses={423: ERROR}``); AutoSchema gives
# it the error body.
ERROR = OpenApiResponse(description="An error in the one error shape (see ``Error``).")


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        component = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(component)
        for status in self._error_statuses():
            responses.setdefault(str(status), {"description": _WHY[status]})
        for code, response in responses.items():
            if code >= "400" and not response.get("content"):
                response["content"] = {"application/json": {"schema": component.ref}}
        return responses

    def _process_override_parameters(self, direction: str = "request") -> dict[Any, Any]:
        """Query filters read through a serializer take an empty value as absent (DRF's rule
        for an optional field in a query string: ``?topic=`` is no topic filter), so the
        description says an empty value is allowed.  Pagination's own parameters are not such
        fields: ``?page=`` answers 400."""
        parameters: dict[Any, Any] = super()._process_override_parameters(direction)
        for declared in self.get_override_parameters():
            if not is_basic_serializer(declared):
                continue
            for name, field in force_instance(declared).fields.items():
                parameter = parameters.get((name, OpenApiParameter.QUERY))
                if parameter is not None and not field.required:
                    parameter["allowEmptyValue"] = True
        return parameters

    def _get_format_parameters(self) -> list[dict[str, Any]]:
        """``?format=`` (a view with several renderers) empty is no choice of format, as DRF
        reads it."""
        parameters: list[dict[str, Any]] = super()._get_format_parameters()
        for parameter in parameters:
            parameter["allowEmptyValue"] = True
        return parameters

    def _error_statuses(self) -> set[int]:
        auth = self.get_auth()
        signed_in = bool(auth) and {} not in auth
        has_body = self.method in _BODIES and self.get_request_serializer() is not None
        has_path = "{" in self.path
        has_query = any(p["in"] == "query" for p in self._get_parameters())
        paginated = self._get_paginator() is not None and self._is_list_view()
        statuses: set[int] = set()
        if signed_in:
            statuses |= {401, 403}
        if has_path or has_body or paginated:
            statuses.add(404)
        if has_body or has_query:
            statuses.add(400)
        if has_body:
            statuses.add(413)
        if signed_in and self.method in _WRITES:
            statuses.add(409)
        return statuses


class TextFieldScheme(OpenApiSerializerFieldExtension):
    """Free text with the one text rule as its ``pattern`` (``campus_social/common/text.py``):
    something visible in it, or — for a field that may be blank — no refused character, with
    ``""`` as the other alternative (drf-spectacular adds it for a blank-allowed field with a
    pattern, as a ``oneOf``: so the pattern itself must not match ``""``)."""

    target_class = TextField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        field: TextField = self.target
        schema: dict[str, Any] = {
            "type": "string",
            "minLength": 1,
            "pattern": text_pattern(multiline=field.multiline, visible=not field.allow_blank),
        }
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        return schema


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "campus_social.common.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "Sign in with POST /api/v1/auth/card/; send X-CSRFToken on writes.",
        }


class ReaderDeviceScheme(OpenApiAuthenticationExtension):
    target_class = "campus_social.identity.rest_api.authentication.ReaderDeviceAuthentication"
    name = "readerDevice"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Card readers send `Device <key>`, the key given at registration.",
        }
