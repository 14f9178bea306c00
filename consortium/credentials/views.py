"""The credentials' public addresses: the issuer's profile and keys, each credential's status,
the JSON-LD contexts (local copies), and the verification API.  Public and read-only: anyone
holding a credential may check it here."""

import uuid
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.common.errors import NotFound
from campus_social.common.ratelimit import client_address
from campus_social.common.schema import ERROR
from consortium.credentials import contexts, selectors
from consortium.credentials.signing import MAX_TOKEN_CHARS


def _public(data: dict[str, Any], *, content_type: str, max_age: int) -> JsonResponse:
    response = JsonResponse(
        data, content_type=content_type, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-cache"
    # Verifiers on other sites fetch these from their pages.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def issuer(request: HttpRequest) -> JsonResponse:
    return _public(selectors.issuer_document(), content_type="application/ld+json", max_age=300)


@require_safe
def jwks(request: HttpRequest) -> JsonResponse:
    return _public(selectors.jwks_document(), content_type="application/jwk-set+json", max_age=300)


@require_safe
def status(request: HttpRequest, credential_uuid: uuid.UUID) -> JsonResponse:
    try:
        document = selectors.credential_status(credential_uuid=str(credential_uuid))
    except NotFound:
        raise Http404 from None
    return _public(document, content_type="application/json", max_age=0)


@require_safe
def context(request: HttpRequest, name: str) -> JsonResponse:
    document = contexts.served_context(name)
    if document is None:
        raise Http404
    return _public(document, content_type="application/ld+json", max_age=86400)


class _TokenField(serializers.CharField):
    """A string, strictly: a number or a list is refused, not turned into text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class VerifyInput(serializers.Serializer[Any]):
    credential = _TokenField(
        max_length=MAX_TOKEN_CHARS,
        trim_whitespace=False,
        help_text="The credential as issued: a VC-JOSE compact JWT (typ vc+jwt).",
    )


class ReasonOutput(serializers.Serializer[Any]):
    code = serializers.CharField(
        help_text="malformed, wrong_type, unsupported_algorithm, unknown_key, bad_signature, "
        "unknown_context, schema, wrong_issuer, not_yet_valid, expired, unknown_credential, revoked"
    )
    message = serializers.CharField()
    details = serializers.ListField(child=serializers.CharField())


class CreditSummaryOutput(serializers.Serializer[Any]):
    subject = serializers.CharField(allow_blank=True)
    code = serializers.CharField(allow_blank=True)
    university = serializers.CharField(allow_blank=True)
    credits = serializers.FloatField(allow_null=True)
    grade = serializers.CharField(allow_blank=True)


class SummaryOutput(serializers.Serializer[Any]):
    id = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=["achievement", "clr"])
    name = serializers.CharField(allow_blank=True)
    learner = serializers.CharField(allow_blank=True)
    valid_from = serializers.CharField(allow_blank=True)
    credits = CreditSummaryOutput(many=True)


class VerifyOutput(serializers.Serializer[Any]):
    valid = serializers.BooleanField(help_text="Genuine, unrevoked and within its dates.")
    genuine = serializers.BooleanField(help_text="Signed by us, unchanged, of the right shape.")
    revoked = serializers.BooleanField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revocation_reason = serializers.CharField(allow_blank=True)
    key_id = serializers.CharField(allow_blank=True)
    reasons = ReasonOutput(many=True)
    summary = SummaryOutput(allow_null=True)
    credential = serializers.JSONField(
        allow_null=True, help_text="The signed content, when the signature holds."
    )


class VerifyApi(APIView):
    """Check a credential (public): whether we issued it, unchanged, and whether it is revoked
    or out of its dates, with every reason.  Answers 200 whatever the verdict."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(request=VerifyInput, responses={200: VerifyOutput, 429: ERROR})
    def post(self, request: Request) -> Response:
        data = VerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = selectors.credential_verify(
            token=data.validated_data["credential"], client=client_address(request._request)
        )
        return Response(
            VerifyOutput(
                {
                    "valid": result.valid,
                    "genuine": result.genuine,
                    "revoked": result.revoked,
                    "revoked_at": result.revoked_at,
                    "revocation_reason": result.revocation_reason,
                    "key_id": result.key_id,
                    "reasons": [
                        {"code": r.code, "message": r.message, "details": list(r.details)}
                        for r in result.reasons
                    ],
                    "summary": result.summary or None,
                    "credential": result.credential,
                }
            ).data
        )
