"""The programs API: a school's intergenerational programs, their sessions, senior volunteers,
guardians' consent and the children taking part.

A draft program (or, for a child, one they are not in) answers 404 as an unknown one does.  Who
may see it but not manage it gets 403 ``not_coordinator`` on the coordinators' routes.  Children
show by given name and school year, except to the program's coordinators and their guardian.
"""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.common.api import Pagination, paginated
from campus_social.common.authentication import AuthenticatedRequest
from campus_social.common.errors import NotFound
from campus_social.common.schema import ERROR
from communities import program_selectors as selectors
from communities import responses, services
from communities.rest_api import program_serializers as s


def _program(request: AuthenticatedRequest, program_id: int, *, answer: int = 200) -> Response:
    program = selectors.program_get(program_id=program_id, actor=request.user)
    return Response(s.ProgramOutput(program).data, status=answer)


# --- Programs -----------------------------------------------------------------------------------


class ProgramListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.ProgramOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """Programs I may see: published and ended ones, the ones I coordinate (drafts too);
        a child sees only the ones they take part in."""
        return paginated(self, request, selectors.program_list(actor=request.user), s.ProgramOutput)

    @extend_schema(request=s.ProgramCreateInput, responses={201: s.ProgramOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        """A new draft program of a school (its coordinators, or city staff), with its room."""
        data = s.ProgramCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        school_id = values.pop("school_id")
        program = services.program_create(actor=request.user, school_id=school_id, values=values)
        return _program(request, program.pk, answer=status.HTTP_201_CREATED)


class ProgramApi(APIView):
    @extend_schema(responses={200: s.ProgramOutput})
    def get(self, request: AuthenticatedRequest, program_id: int) -> Response:
        return _program(request, program_id)

    @extend_schema(request=s.ProgramUpdateInput, responses={200: s.ProgramOutput})
    def patch(self, request: AuthenticatedRequest, program_id: int) -> Response:
        """Change the fields sent (its coordinators; not once it ended or was cancelled: 409
        ``program_closed``)."""
        data = s.ProgramUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.program_update(
            actor=request.user, program_id=program_id, values=dict(data.validated_data)
        )
        return _program(request, program_id)


_MOVES = {
    "published": services.program_publish,
    "ended": services.program_end,
    "cancelled": services.program_cancel,
}


class ProgramStatusApi(APIView):
    @extend_schema(request=s.ProgramStatusInput, responses={200: s.ProgramOutput})
    def post(self, request: AuthenticatedRequest, program_id: int) -> Response:
        """Publish a draft, end a published program, or cancel one (409 ``wrong_status``
        otherwise)."""
        data = s.ProgramStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        _MOVES[data.validated_data["status"]](actor=request.user, program_id=program_id)
        return _program(request, program_id)


class ProgramSessionListApi(APIView):
    @extend_schema(responses={200: s.ProgramSessionOutput(many=True)})
    def get(self, request: AuthenticatedRequest, program_id: int) -> Response:
        """The sessions, the earliest first (cancelled ones marked)."""
        program = selectors.program_get(program_id=program_id, actor=request.user)
        return Response(
            s.ProgramSessionOutput(selectors.program_sessions(program=program), many=True).data
        )

    @extend_schema(request=s.ProgramSessionInput, responses={201: s.ProgramSessionOutput})
    def post(self, request: AuthenticatedRequest, program_id: int) -> Response:
        """A new session within the term (its coordinators)."""
        data = s.ProgramSessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_add(
            actor=request.user, program_id=program_id, **data.validated_data
        )
        return Response(s.ProgramSessionOutput(session).data, status=status.HTTP_201_CREATED)


class ProgramRosterApi(APIView):
    @extend_schema(responses={200: s.ProgramRosterOutput})
    def get(self, request: AuthenticatedRequest, program_id: int) -> Response:
        """Who takes part: children (as I may see them), volunteers and coordinators."""
        program = selectors.program_get(program_id=program_id, actor=request.user)
        roster = selectors.program_roster(program=program, actor=request.user)
        return Response(s.ProgramRosterOutput(roster).data)


# --- Volunteers ---------------------------------------------------------------------------------


class ProgramMatchListApi(APIView):
    @extend_schema(responses={200: s.VolunteerMatchOutput(many=True)})
    def get(self, request: AuthenticatedRequest, program_id: int) -> Response:
        """Seniors' current offers ranked for the program, with the reasons (its coordinators)."""
        program = selectors.program_get(program_id=program_id, actor=request.user)
        matches = selectors.volunteer_matches(program=program, actor=request.user)
        return Response(s.VolunteerMatchOutput(matches, many=True).data)


class ProgramVolunteerListApi(APIView):
    @extend_schema(request=s.ProgramVolunteerInput, responses={201: s.ProgramVolunteerOutput})
    def post(self, request: AuthenticatedRequest, program_id: int) -> Response:
        """Invite a senior with a current offer (its coordinators).  403 ``vetting_required``
        without a current vetting record (audited)."""
        data = s.ProgramVolunteerInput(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer = services.volunteer_invite(
            actor=request.user,
            program_id=program_id,
            resident_id=data.validated_data["resident_id"],
        )
        return Response(s.ProgramVolunteerOutput(volunteer).data, status=status.HTTP_201_CREATED)


class ProgramVolunteerApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, program_id: int, resident_id: int) -> Response:
        """Take a volunteer off the program, or withdraw an invitation (its coordinators)."""
        services.volunteer_remove(
            actor=request.user, program_id=program_id, resident_id=resident_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProgramAnswerApi(APIView):
    @extend_schema(request=s.ProgramAnswerInput, responses={200: s.ProgramVolunteerOutput})
    def post(self, request: AuthenticatedRequest, program_id: int) -> Response:
        """Accept or decline my invitation.  Accepting needs a current vetting record (403
        ``vetting_required``, audited)."""
        data = s.ProgramAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer = services.volunteer_answer(
            actor=request.user, program_id=program_id, accept=data.validated_data["accept"]
        )
        return Response(s.ProgramVolunteerOutput(volunteer).data)


class VolunteerOfferApi(APIView):
    @extend_schema(responses={200: s.VolunteerOfferOutput, 404: ERROR})
    def get(self, request: AuthenticatedRequest) -> Response:
        """My current volunteer offer (404 when I have none)."""
        offer = selectors.volunteer_offer_current(resident=request.user)
        if offer is None:
            raise NotFound(_("You have no current volunteer offer."))
        return Response(s.VolunteerOfferOutput(offer).data)

    @extend_schema(request=s.VolunteerOfferInput, responses={200: s.VolunteerOfferOutput})
    def put(self, request: AuthenticatedRequest) -> Response:
        """Publish or replace my offer (residents aged 65 and over: 403 ``senior_only``)."""
        data = s.VolunteerOfferInput(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.volunteer_offer_set(actor=request.user, **data.validated_data)
        return Response(s.VolunteerOfferOutput(offer).data)

    @extend_schema(responses={204: None, 404: ERROR})
    def delete(self, request: AuthenticatedRequest) -> Response:
        """Withdraw my offer: I am no longer matched."""
        services.volunteer_offer_withdraw(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyVolunteeringApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.ProgramVolunteeringOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """My invitations and the programs I volunteer in, newest first."""
        volunteering = selectors.volunteering_of(resident=request.user)
        return paginated(self, request, volunteering, s.ProgramVolunteeringOutput)


# --- Children and consent -----------------------------------------------------------------------


class ProgramConsentListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.ProgramConsentOutput(many=True)})
    def get(self, request: AuthenticatedRequest, program_id: int) -> Response:
        """Every consent given for the program, current and withdrawn (its coordinators)."""
        program = selectors.program_get(program_id=program_id, actor=request.user)
        consents = selectors.program_consents(program=program, actor=request.user)
        return paginated(self, request, consents, s.ProgramConsentOutput)

    @extend_schema(request=s.ProgramConsentInput, responses={201: s.ProgramConsentOutput})
    def post(self, request: AuthenticatedRequest, program_id: int) -> Response:
        """Consent for my child (the program's description and what is recorded are stored as
        shown), optionally signing them up.  A child not mine answers 404 (audited)."""
        data = s.ProgramConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        consent = services.consent_give(
            actor=request.user, program_id=program_id, **data.validated_data
        )
        return Response(s.ProgramConsentOutput(consent).data, status=status.HTTP_201_CREATED)


class ProgramConsentWithdrawApi(APIView):
    @extend_schema(request=s.ProgramChildInput, responses={200: s.ProgramConsentOutput})
    def post(self, request: AuthenticatedRequest, program_id: int) -> Response:
        """Withdraw my consent for my child, with effect at once: the child leaves the program,
        its room and its photos."""
        data = s.ProgramChildInput(data=request.data)
        data.is_valid(raise_exception=True)
        consent = services.consent_withdraw(
            actor=request.user, program_id=program_id, child_id=data.validated_data["child_id"]
        )
        return Response(s.ProgramConsentOutput(consent).data)


class ProgramChildListApi(APIView):
    @extend_schema(request=s.ProgramChildInput, responses={201: s.ProgramPlaceOutput})
    def post(self, request: AuthenticatedRequest, program_id: int) -> Response:
        """Add a child whose guardian consented (its coordinators): 409 ``consent_required``
        without a current consent (audited)."""
        data = s.ProgramChildInput(data=request.data)
        data.is_valid(raise_exception=True)
        place = services.program_child_add(
            actor=request.user, program_id=program_id, child_id=data.validated_data["child_id"]
        )
        return Response(s.ProgramPlaceOutput(place).data, status=status.HTTP_201_CREATED)


class ProgramChildApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, program_id: int, child_id: int) -> Response:
        """Take a child off the program (its coordinators)."""
        services.program_child_remove(actor=request.user, program_id=program_id, child_id=child_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyChildrenProgramsApi(APIView):
    @extend_schema(responses={200: s.ChildProgramOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """Everything my children take part in or were consented for."""
        rows = selectors.guardian_child_programs(actor=request.user)
        return Response(s.ChildProgramOutput(rows, many=True).data)


# --- Sessions -----------------------------------------------------------------------------------


class SessionCancelApi(APIView):
    @extend_schema(request=None, responses={200: s.ProgramSessionOutput})
    def post(self, request: AuthenticatedRequest, session_id: int) -> Response:
        """Cancel a coming session (its coordinators)."""
        session = services.session_cancel(actor=request.user, session_id=session_id)
        return Response(s.ProgramSessionOutput(session).data)


class SessionAttendanceApi(APIView):
    @extend_schema(responses={200: s.ProgramAttendanceOutput(many=True)})
    def get(self, request: AuthenticatedRequest, session_id: int) -> Response:
        """The attendance recorded (its coordinators)."""
        rows = selectors.session_attendance(session_id=session_id, actor=request.user)
        return Response(s.ProgramAttendanceOutput(rows, many=True).data)

    @extend_schema(request=s.ProgramAttendanceInput, responses={200: s.ProgramAttendanceOutput})
    def post(self, request: AuthenticatedRequest, session_id: int) -> Response:
        """Mark someone on the roster present or absent (its coordinators)."""
        data = s.ProgramAttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        attendance = services.attendance_record(
            actor=request.user, session_id=session_id, **data.validated_data
        )
        return Response(s.ProgramAttendanceOutput(attendance).data)


class SessionReflectionApi(APIView):
    @extend_schema(request=s.ProgramReflectionInput, responses={200: s.ProgramReflectionOutput})
    def post(self, request: AuthenticatedRequest, session_id: int) -> Response:
        """My reflection after a session (or my child's, with ``child_id``); writing again
        replaces it."""
        data = s.ProgramReflectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        reflection = services.reflection_write(
            actor=request.user,
            session_id=session_id,
            text_value=data.validated_data["text"],
            child_id=data.validated_data.get("child_id"),
        )
        return Response(s.ProgramReflectionOutput(reflection).data)


class SessionPhotoListApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: s.ProgramPhotoShownOutput(many=True)})
    def get(self, request: AuthenticatedRequest, session_id: int) -> Response:
        """The session's photos, for those taking part (its coordinators, accepted volunteers,
        children taking part and their guardians; 404 for everyone else): only photos in which
        every child shown still has a current consent that allows photos."""
        photos = selectors.session_photos(session_id=session_id, actor=request.user)
        return Response(s.ProgramPhotoShownOutput(photos, many=True).data)

    @extend_schema(request=s.ProgramPhotoInput, responses={201: s.ProgramPhotoOutput})
    def post(self, request: AuthenticatedRequest, session_id: int) -> Response:
        """A photo of the session (its coordinators), re-encoded without EXIF or GPS, tagged
        with the children shown.  403 ``photo_not_allowed`` (audited, nothing stored) if any of
        them lacks a current consent that allows photos."""
        data = s.ProgramPhotoInput(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data["child_ids"]
        photo = services.photo_add(
            actor=request.user,
            session_id=session_id,
            upload=data.validated_data["file"],
            child_ids=[int(pk) for pk in given.split(",")] if given else [],
        )
        return Response(s.ProgramPhotoOutput(photo).data, status=status.HTTP_201_CREATED)


class SessionPhotoApi(APIView):
    @extend_schema(
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
        }
    )
    def get(self, request: AuthenticatedRequest, photo_id: int) -> FileResponse:
        """The photo's image, for those who may see it in the session's photos (404 otherwise);
        never cached."""
        photo = selectors.session_photo_get(photo_id=photo_id, actor=request.user)
        return responses.session_photo(photo)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, photo_id: int) -> Response:
        """Remove a photo (its coordinators); the file goes after the commit."""
        services.photo_remove(actor=request.user, photo_id=photo_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionReflectionListApi(APIView):
    @extend_schema(responses={200: s.ProgramReflectionShownOutput(many=True)})
    def get(self, request: AuthenticatedRequest, session_id: int) -> Response:
        """The reflections written after the session, for those taking part (404 for everyone
        else); a child author by given name and school year only."""
        rows = selectors.session_reflections(session_id=session_id, actor=request.user)
        return Response(s.ProgramReflectionShownOutput(rows, many=True).data)
