from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.audit.rest_api.serializers import AuditEventOutput, AuditFilterInput
from campus_social.audit.selectors import audit_event_list
from campus_social.common.api import Pagination
from campus_social.common.authentication import AuthenticatedRequest
from campus_social.identity.rest_api.permissions import IsCityStaff


class AuditEventListApi(APIView):
    """The audit log, newest first (city staff)."""

    permission_classes = [IsCityStaff]

    @extend_schema(parameters=[AuditFilterInput], responses={200: AuditEventOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = AuditFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = audit_event_list(actor=request.user, **filters.validated_data)
        paginator = Pagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(AuditEventOutput(page, many=True).data)
