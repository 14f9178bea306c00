"""The schools API: a school's pupils (year, class, guardians) for its coordinators, and
guardians asking to be linked to a pupil.  Every route needs a signed-in resident; the services
check who may do what."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.common.api import Pagination
from campus_social.common.authentication import AuthenticatedRequest
from campus_social.common.ids import IdField
from campus_social.identity import selectors, services
from campus_social.identity.models import GuardianLinkRequest, SchoolPlacement
from campus_social.identity.rest_api.serializers import PersonOutput

# --- Serializers --------------------------------------------------------------------------------


class SchoolOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_kana = serializers.CharField()


class PupilOutput(serializers.Serializer):
    """A pupil as the school's coordinators see them (the school knows its pupils' names)."""

    id = serializers.IntegerField(source="child_id")
    name = serializers.CharField(source="child.name")
    given_name = serializers.CharField(source="child.given_name")
    name_kana = serializers.CharField(source="child.name_kana")
    school_year = serializers.IntegerField(help_text="1 (小1) to 12 (高3).")
    grade = serializers.SerializerMethodField(help_text="The school year as people say it.")
    class_name = serializers.CharField()
    guardians = serializers.SerializerMethodField()

    def get_grade(self, placement: SchoolPlacement) -> str:
        return selectors.grade_label(placement.school_year)

    @extend_schema_field(PersonOutput(many=True))
    def get_guardians(self, placement: SchoolPlacement) -> list[dict[str, object]]:
        return [
            {"id": link.guardian_id, "display_name": link.guardian.display_name}
            for link in placement.child.guardian_links.all()
        ]


class PlacementOutput(serializers.Serializer):
    """A child's school, year and class, for the family (and the school)."""

    child = serializers.IntegerField(source="child_id")
    school = SchoolOutput()
    school_year = serializers.IntegerField()
    grade = serializers.SerializerMethodField()
    class_name = serializers.CharField()

    def get_grade(self, placement: SchoolPlacement) -> str:
        return selectors.grade_label(placement.school_year)


class PupilAddInput(serializers.Serializer):
    child = IdField(help_text="The child's resident number.")
    birth_date = serializers.DateField(help_text="The child's birth date, as the school knows it.")
    school_year = serializers.IntegerField()
    class_name = serializers.CharField(required=False, allow_blank=True, default="")


class PupilUpdateInput(serializers.Serializer):
    school_year = serializers.IntegerField()
    class_name = serializers.CharField(required=False, allow_blank=True, default="")


class GuardianLinkInput(serializers.Serializer):
    guardian = IdField(help_text="The guardian's resident number.")


class GuardianLinkOutput(serializers.Serializer):
    child = serializers.IntegerField(source="child_id")
    guardian = PersonOutput()


class GuardianRequestInput(serializers.Serializer):
    child_number = serializers.CharField(
        max_length=40, help_text="The child's resident number (never a My Number)."
    )
    birth_date = serializers.DateField()


class GuardianRequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    child = PersonOutput()
    guardian = PersonOutput()
    school = serializers.IntegerField(source="school_id")
    status = serializers.ChoiceField(choices=GuardianLinkRequest.Status.choices)
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


# --- Views --------------------------------------------------------------------------------------


class SchoolListApi(APIView):
    @extend_schema(responses={200: SchoolOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """Every school (for a guardian choosing their child's)."""
        return Response(SchoolOutput(selectors.school_list(), many=True).data)


class SchoolPupilListApi(APIView):
    @extend_schema(responses={200: PupilOutput(many=True)})
    def get(self, request: AuthenticatedRequest, school_id: int) -> Response:
        """The school's pupils, for its coordinators and city staff (audited)."""
        pupils = selectors.school_pupils(actor=request.user, school_id=school_id)
        paginator = Pagination()
        page = paginator.paginate_queryset(pupils, request, view=self)
        return paginator.get_paginated_response(PupilOutput(page, many=True).data)

    @extend_schema(request=PupilAddInput, responses={201: PupilOutput})
    def post(self, request: AuthenticatedRequest, school_id: int) -> Response:
        """Record a child (resident number and birth date) as a pupil of the school."""
        data = PupilAddInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        placement = services.school_pupil_add(
            actor=request.user, school_id=school_id, child_id=fields.pop("child"), **fields
        )
        return Response(PupilOutput(placement).data, status=status.HTTP_201_CREATED)


class SchoolPupilApi(APIView):
    @extend_schema(request=PupilUpdateInput, responses={200: PupilOutput})
    def put(self, request: AuthenticatedRequest, school_id: int, child_id: int) -> Response:
        """Change a pupil's school year and class."""
        data = PupilUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        placement = services.school_pupil_update(
            actor=request.user, school_id=school_id, child_id=child_id, **data.validated_data
        )
        return Response(PupilOutput(placement).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: AuthenticatedRequest, school_id: int, child_id: int) -> Response:
        """The child no longer attends the school."""
        services.school_pupil_remove(actor=request.user, school_id=school_id, child_id=child_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SchoolPupilGuardianApi(APIView):
    @extend_schema(request=GuardianLinkInput, responses={201: GuardianLinkOutput})
    def post(self, request: AuthenticatedRequest, school_id: int, child_id: int) -> Response:
        """Link the pupil to a guardian (an adult, by resident number); the guardian is told."""
        data = GuardianLinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        link = services.school_guardian_link(
            actor=request.user,
            school_id=school_id,
            child_id=child_id,
            guardian_id=data.validated_data["guardian"],
        )
        return Response(GuardianLinkOutput(link).data, status=status.HTTP_201_CREATED)


class SchoolGuardianRequestListApi(APIView):
    @extend_schema(responses={200: GuardianRequestOutput(many=True)})
    def get(self, request: AuthenticatedRequest, school_id: int) -> Response:
        """Guardians' requests waiting for the school's answer (coordinators)."""
        requests = selectors.school_guardian_requests(actor=request.user, school_id=school_id)
        return Response(GuardianRequestOutput(requests, many=True).data)

    @extend_schema(request=GuardianRequestInput, responses={201: GuardianRequestOutput})
    def post(self, request: AuthenticatedRequest, school_id: int) -> Response:
        """Ask to be linked to a pupil of this school as their guardian; the school answers."""
        data = GuardianRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        link_request = services.guardian_link_request(
            actor=request.user, school_id=school_id, **data.validated_data
        )
        return Response(GuardianRequestOutput(link_request).data, status=status.HTTP_201_CREATED)


class GuardianRequestDecideApi(APIView):
    confirm = True

    @extend_schema(request=None, responses={200: GuardianRequestOutput})
    def post(self, request: AuthenticatedRequest, request_id: int) -> Response:
        """The school's coordinator answers a guardian's request."""
        link_request = services.guardian_link_request_decide(
            actor=request.user, request_id=request_id, confirm=self.confirm
        )
        return Response(GuardianRequestOutput(link_request).data)


class GuardianRequestConfirmApi(GuardianRequestDecideApi):
    confirm = True


class GuardianRequestDeclineApi(GuardianRequestDecideApi):
    confirm = False


class MyGuardianRequestListApi(APIView):
    @extend_schema(responses={200: GuardianRequestOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """The requests I made to be linked to a child, with the school's answer."""
        requests = selectors.my_guardian_requests(resident=request.user)
        return Response(GuardianRequestOutput(requests, many=True).data)


class ChildSchoolApi(APIView):
    @extend_schema(responses={200: PlacementOutput})
    def get(self, request: AuthenticatedRequest, child_id: int) -> Response:
        """A child's school, year and class: for the child, their guardians and the school's
        coordinators; anyone else 404."""
        placement = selectors.child_placement_get(actor=request.user, child_id=child_id)
        return Response(PlacementOutput(placement).data)
