"""Registrars' systems: a registrar makes and revokes their university's tokens (session), and
the university's system — authenticated with ``Authorization: Bearer <key>``, as the
university, not as a resident — lists the pending applications with the record each resident
shared and records decisions under the same rules as a registrar's (``credit_decide``).

Another university's application answers 404 as an unknown one; a revoked or unknown key 401.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.common.api import Pagination, paginated
from campus_social.common.authentication import AuthenticatedRequest
from consortium import selectors, services
from consortium.models import RegistrarSystemToken
from consortium.rest_api import serializers as s
from consortium.rest_api.authentication import IsSystemToken, SystemTokenAuthentication

# --- Serializers --------------------------------------------------------------------------------


class SystemTokenOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    key_prefix = serializers.CharField(help_text="The key's first part, to tell tokens apart.")
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.name", allow_null=True, default=None)
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class SystemTokenCreatedOutput(SystemTokenOutput):
    key = serializers.CharField(help_text="Shown only this once: only a hash of it is kept.")


class SystemTokenInput(serializers.Serializer):
    name = s._text(100, help_text="What the token is for, e.g. the system's name.")


# --- A registrar's tokens -----------------------------------------------------------------------


class SystemTokenListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: SystemTokenOutput(many=True)})
    def get(self, request: AuthenticatedRequest, university_id: int) -> Response:
        """My university's tokens for its systems, revoked ones too, newest first (its
        registrars).  Never the key itself."""
        tokens = selectors.system_tokens_of(actor=request.user, university_id=university_id)
        return paginated(self, request, tokens, SystemTokenOutput)

    @extend_schema(request=SystemTokenInput, responses={201: SystemTokenCreatedOutput})
    def post(self, request: AuthenticatedRequest, university_id: int) -> Response:
        """A new token for my university's system.  The answer holds its ``key``, shown only
        this once."""
        selectors.registrar_university_get(actor=request.user, university_id=university_id)
        data = SystemTokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.system_token_create(
            actor=request.user, university_id=university_id, **data.validated_data
        )
        body = {**SystemTokenOutput(token).data, "key": key}
        return Response(SystemTokenCreatedOutput(body).data, status=status.HTTP_201_CREATED)


class SystemTokenRevokeApi(APIView):
    @extend_schema(request=None, responses={200: SystemTokenOutput})
    def post(self, request: AuthenticatedRequest, university_id: int, token_id: int) -> Response:
        """Revoke a token: it answers 401 from now on (409 ``already_revoked``)."""
        token = services.system_token_revoke(
            actor=request.user, university_id=university_id, token_id=token_id
        )
        return Response(SystemTokenOutput(token).data)


# --- The university's system --------------------------------------------------------------------


def _token(request: Request) -> RegistrarSystemToken:
    assert isinstance(request.auth, RegistrarSystemToken)  # IsSystemToken
    return request.auth


class SystemApplicationListApi(APIView):
    authentication_classes = [SystemTokenAuthentication]
    permission_classes = [IsSystemToken]
    pagination_class = Pagination

    @extend_schema(responses={200: s.CreditApplicationOutput(many=True)})
    def get(self, request: Request) -> Response:
        """The token's university's pending applications, oldest first, each with the record
        its resident consented to share."""
        queue = selectors.system_queue(token=_token(request))
        return paginated(self, request, queue, s.CreditApplicationOutput)


class SystemDecisionApi(APIView):
    authentication_classes = [SystemTokenAuthentication]
    permission_classes = [IsSystemToken]

    @extend_schema(request=s.CreditDecisionInput, responses={200: s.CreditApplicationOutput})
    def post(self, request: Request, application_id: int) -> Response:
        """Approve with a grade of the agreement's grading, or reject with a reason — the
        registrars' rules (400 ``invalid_grade``, ``reason_required``; 409 ``over_cap``,
        ``withdrawn``, ``decided``).  The decision and the record it adds name the token."""
        data = s.CreditDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.credit_decide_by_system(
            token=_token(request), application_id=application_id, **data.validated_data
        )
        return Response(s.CreditApplicationOutput(application).data)
