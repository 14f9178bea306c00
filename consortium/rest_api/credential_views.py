"""A learner's credential downloads: the signed Open Badges 3.0 ``AchievementCredential`` of one
of my credit entries in force, and a CLR 2.0 of all of them — VC-JOSE compact JWS
(``application/vc+jwt``), as files to keep.  Another resident's entry, or one a correction
replaced, answers 404; errors are the usual JSON."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import renderers
from rest_framework.views import APIView

from campus_social.common.api import FileRenderer
from campus_social.common.authentication import AuthenticatedRequest
from campus_social.common.schema import ERROR
from consortium import credit_credentials

VC_JWT = "application/vc+jwt"


class VcJwtRenderer(FileRenderer):
    """Clients that ask only for ``application/vc+jwt``."""

    media_type = VC_JWT
    format = "jwt"
    charset = None


def _download(token: str, filename: str) -> HttpResponse:
    response = HttpResponse(token, content_type=VC_JWT)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class CreditCredentialApi(APIView):
    renderer_classes = [renderers.JSONRenderer, VcJwtRenderer]

    @extend_schema(
        operation_id="v1_consortium_credit_credential_retrieve",
        responses={(200, VC_JWT): OpenApiTypes.STR, 404: ERROR},
    )
    def get(self, request: AuthenticatedRequest, record_id: int) -> HttpResponse:
        """My credit as a signed Open Badges 3.0 ``AchievementCredential`` (VC-JOSE), to keep
        and show anyone: the same one on every download until a correction revokes it.
        Another resident's entry, or one a correction replaced: 404."""
        signed = credit_credentials.credit_credential_download(
            actor=request.user, record_id=record_id
        )
        return _download(signed.token, f"credit-{record_id}.jwt")


class CreditClrApi(APIView):
    renderer_classes = [renderers.JSONRenderer, VcJwtRenderer]

    @extend_schema(
        operation_id="v1_consortium_credit_clr_retrieve",
        responses={(200, VC_JWT): OpenApiTypes.STR, 404: ERROR},
    )
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        """All my credit in force as one signed CLR 2.0 ``ClrCredential`` (VC-JOSE), each credit
        in it an achievement credential of its own; a new snapshot on every download.  404
        when I have no credit yet."""
        signed = credit_credentials.credit_clr_download(actor=request.user)
        return _download(signed.token, "credit-record.jwt")
