"""City staff record and read the vetting checks of anyone who works with children — a
volunteer in a school's program, a circle organiser (lecturers are vetted on their own route,
``/api/v1/staff/lecturers/{id}/vetting/``, which records the same kind of row)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.common.authentication import AuthenticatedRequest
from campus_social.identity.rest_api.permissions import IsCityStaff
from campus_social.identity.selectors import resident_get_for_staff
from campus_social.safeguarding import selectors, services
from campus_social.safeguarding.rest_api import serializers as s


class StaffResidentVettingApi(APIView):
    permission_classes = [IsCityStaff]

    @extend_schema(responses={200: s.VettingRecordOutput(many=True)})
    def get(self, request: AuthenticatedRequest, resident_id: int) -> Response:
        """The resident's vetting records, the longest-running first (the look is audited)."""
        resident = resident_get_for_staff(actor=request.user, resident_id=resident_id)
        records = selectors.vetting_records(resident=resident)
        return Response(s.VettingRecordOutput(records, many=True).data)

    @extend_schema(request=s.VettingInput, responses={201: s.VettingRecordOutput})
    def post(self, request: AuthenticatedRequest, resident_id: int) -> Response:
        """Record that an adult was checked for working with children, valid until a day
        (400 ``child`` for a child; audited as ``resident.vetted``)."""
        data = s.VettingInput(data=request.data)
        data.is_valid(raise_exception=True)
        resident = resident_get_for_staff(actor=request.user, resident_id=resident_id)
        record = services.vetting_record_add(
            actor=request.user, resident=resident, **data.validated_data
        )
        return Response(s.VettingRecordOutput(record).data, status=status.HTTP_201_CREATED)
