"""The courses API: finding and enrolling in offerings and teaching them.  A card reader's tap
is the core's route (``campus_social.checkin``), which asks ``courses.checkin``.

Another lecturer's offering, session or enrolment answers 404, as an unknown one does; drafts are
seen only by who manages them.
"""

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import renderers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.common.api import ICalendarRenderer, Pagination, paginated
from campus_social.common.authentication import AuthenticatedRequest
from campus_social.common.errors import NotFound
from campus_social.common.parsers import JSONParser
from campus_social.identity.rest_api.permissions import IsCityStaff
from campus_social.safeguarding.rest_api.serializers import VettingInput
from courses import selectors, services
from courses.models import Lecturer
from courses.rest_api import serializers as s
from courses.rest_api.calendar import offering_calendar

# --- Finding and enrolling ---------------------------------------------------------------------


class CourseListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.CourseOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        return paginated(self, request, selectors.course_list(), s.CourseOutput)

    @extend_schema(request=s.CourseInput, responses={201: s.CourseOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        """A new course of mine (approved lecturers)."""
        data = s.CourseInput(data=request.data)
        data.is_valid(raise_exception=True)
        course = services.course_create(actor=request.user, **data.validated_data)
        return Response(s.CourseOutput(course).data, status=status.HTTP_201_CREATED)


class OfferingListApi(APIView):
    pagination_class = Pagination

    @extend_schema(parameters=[s.OfferingListQuery], responses={200: s.OfferingOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """Published offerings that have not ended, soonest first."""
        query = s.OfferingListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        given = query.validated_data
        filters = selectors.OfferingFilters(
            category=given.get("category", ""),
            district=given.get("district", ""),
            audience=given.get("audience", ""),
            starts_from=given.get("from"),
            starts_until=given.get("until"),
            weekday=given.get("weekday"),
            free=given.get("free"),
            bears_credit=given.get("credit"),
            query=given.get("q", ""),
        )
        return paginated(self, request, selectors.offering_list(filters=filters), s.OfferingOutput)

    @extend_schema(request=s.OfferingCreateInput, responses={201: s.ManagedOfferingOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        """A new draft offering of one of my courses; add sessions, then publish it."""
        data = s.OfferingCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        offering = services.offering_create(
            actor=request.user, course_id=values.pop("course"), **values
        )
        return Response(s.ManagedOfferingOutput(offering).data, status=status.HTTP_201_CREATED)


class OfferingApi(APIView):
    @extend_schema(responses={200: s.OfferingDetailOutput})
    def get(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """A published (or cancelled) offering with its sessions."""
        offering = selectors.offering_get_public(offering_id=offering_id)
        return Response(s.OfferingDetailOutput(offering).data)

    @extend_schema(request=s.OfferingUpdateInput, responses={200: s.ManagedOfferingOutput})
    def patch(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """Change the fields sent.  Places never drop below those already enrolled."""
        data = s.OfferingUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        offering = services.offering_update(
            actor=request.user, offering_id=offering_id, **data.validated_data
        )
        return Response(s.ManagedOfferingOutput(offering).data)


class OfferingEnrolmentApi(APIView):
    @extend_schema(request=s.EnrolmentInput, responses={201: s.EnrolmentOutput})
    def post(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """Enrol me (or my child): ``enrolled``, ``waitlisted`` with a ``position``, or
        ``pending`` when the lecturer approves each one.  Refusals answer 409 with the code
        ``already_enrolled``, ``cancelled``, ``closed``, ``not_open`` or ``ended``."""
        data = s.EnrolmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = services.enrolment_create(
            actor=request.user,
            offering_id=offering_id,
            resident_id=data.validated_data.get("resident"),
        )
        return Response(s.EnrolmentOutput(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[s.EnrolmentCancelQuery], responses={200: s.EnrolmentOutput})
    def delete(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """Leave the offering or its waiting list; a freed place goes to the first in line."""
        query = s.EnrolmentCancelQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        enrolment = services.enrolment_cancel(
            actor=request.user,
            offering_id=offering_id,
            resident_id=query.validated_data.get("resident"),
        )
        return Response(s.EnrolmentOutput(enrolment).data)


class MyEnrolmentListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.MyEnrolmentOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """My enrolments and my children's, newest first."""
        enrolments = selectors.my_enrolments(resident=request.user)
        return paginated(self, request, enrolments, s.MyEnrolmentOutput)


class MyCompletionListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.MyCompletionOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """The courses I and my children have completed, newest first."""
        completions = selectors.my_completions(resident=request.user)
        return paginated(self, request, completions, s.MyCompletionOutput)


class MyCourseSessionListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.MyCourseSessionOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """The coming sessions of my courses and my children's, soonest first (cancelled ones
        too, with ``cancelled_at``)."""
        sessions = selectors.my_upcoming_sessions(resident=request.user)
        return paginated(self, request, sessions, s.MyCourseSessionOutput)


class OfferingSurveyApi(APIView):
    @extend_schema(request=s.SurveyInput, responses={204: None})
    def post(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """Answer the survey once, after the last session.  The answer does not name me."""
        data = s.SurveyInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.survey_answer(
            resident=request.user, offering_id=offering_id, **data.validated_data
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Lecturers --------------------------------------------------------------------------------


class LecturerApplyApi(APIView):
    # JSON, or multipart to send a photo: a url-encoded form cannot carry one.
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(request=s.LecturerApplyInput, responses={201: s.LecturerOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        """Apply to teach (again, after a decline).  City staff review the application."""
        data = s.LecturerApplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        lecturer = services.lecturer_apply(resident=request.user, **data.validated_data)
        output = s.LecturerOutput(lecturer, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)


class MyLecturerApi(APIView):
    @extend_schema(responses={200: s.LecturerOutput})
    def get(self, request: AuthenticatedRequest) -> Response:
        """My application to teach and its decision; 404 if I never applied."""
        lecturer = selectors.lecturer_of(request.user)
        if lecturer is None:
            raise NotFound(_("You have not applied to teach."))
        return Response(s.LecturerOutput(lecturer, context={"request": request}).data)


class LecturerPhotoApi(APIView):
    @extend_schema(
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
        }
    )
    def get(self, request: AuthenticatedRequest, lecturer_id: int) -> FileResponse:
        """The lecturer's photo: an approved lecturer's for everyone signed in, an applicant's
        for themselves and city staff; 404 for anyone else or when there is none."""
        lecturer = selectors.lecturer_photo_get(lecturer_id=lecturer_id, actor=request.user)
        return _photo_response(lecturer)


def _photo_response(lecturer: Lecturer) -> FileResponse:
    try:
        handle = lecturer.photo.open("rb")
    except FileNotFoundError:
        raise NotFound(_("No such photo.")) from None
    # ``clean_image`` stores a re-encoded JPEG, or a PNG when the picture has transparency.
    content_type = "image/png" if lecturer.photo.name.endswith(".png") else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    # Private: whether a photo may be seen depends on who asks (and an application's status).
    response["Cache-Control"] = "private, max-age=300"
    return response


class StaffPendingLecturerListApi(APIView):
    permission_classes = [IsCityStaff]
    pagination_class = Pagination

    @extend_schema(responses={200: s.LecturerReviewOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """Applications waiting for a decision, oldest first."""
        queue = selectors.lecturer_review_queue(actor=request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(queue, request, view=self)
        output = s.LecturerReviewOutput(page, many=True, context={"request": request})
        return paginator.get_paginated_response(output.data)


class StaffLecturerDecisionApi(APIView):
    permission_classes = [IsCityStaff]

    @extend_schema(request=s.LecturerDecisionInput, responses={200: s.LecturerReviewOutput})
    def post(self, request: AuthenticatedRequest, lecturer_id: int) -> Response:
        """Approve, or decline with a reason; the applicant is notified."""
        data = s.LecturerDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        lecturer = services.lecturer_decide(
            actor=request.user, lecturer_id=lecturer_id, **data.validated_data
        )
        return Response(s.LecturerReviewOutput(lecturer, context={"request": request}).data)


class StaffLecturerVettingApi(APIView):
    permission_classes = [IsCityStaff]

    @extend_schema(request=VettingInput, responses={201: s.VettingOutput})
    def post(self, request: AuthenticatedRequest, lecturer_id: int) -> Response:
        """Record that the lecturer was checked for teaching children, valid until a day."""
        data = VettingInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.vetting_record_add(
            actor=request.user, lecturer_id=lecturer_id, **data.validated_data
        )
        output = s.VettingOutput(record, context={"lecturer_id": lecturer_id})
        return Response(output.data, status=status.HTTP_201_CREATED)


# --- Teaching ---------------------------------------------------------------------------------


class MyTeachingListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.TeachingOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """The offerings I teach (every offering, for city staff), newest first."""
        offerings = selectors.lecturer_offerings(actor=request.user)
        return paginated(self, request, offerings, s.TeachingOutput)


class OfferingPublishApi(APIView):
    @extend_schema(request=None, responses={200: s.ManagedOfferingOutput})
    def post(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """Open a draft for enrolment (400 ``no_sessions`` or ``vetting_required``)."""
        offering = services.offering_publish(actor=request.user, offering_id=offering_id)
        return Response(s.ManagedOfferingOutput(offering).data)


class OfferingCancelApi(APIView):
    @extend_schema(request=None, responses={200: s.ManagedOfferingOutput})
    def post(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """Cancel the offering; everyone enrolled or waiting is told."""
        offering = services.offering_cancel(actor=request.user, offering_id=offering_id)
        return Response(s.ManagedOfferingOutput(offering).data)


class OfferingCopyApi(APIView):
    @extend_schema(request=s.OfferingCopyInput, responses={201: s.ManagedOfferingOutput})
    def post(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """The same offering for a new term, as a draft moved by ``shift_days``."""
        data = s.OfferingCopyInput(data=request.data)
        data.is_valid(raise_exception=True)
        offering = services.offering_copy(
            actor=request.user, offering_id=offering_id, **data.validated_data
        )
        return Response(s.ManagedOfferingOutput(offering).data, status=status.HTTP_201_CREATED)


class OfferingSessionListApi(APIView):
    @extend_schema(request=s.SessionInput, responses={201: s.CourseSessionOutput})
    def post(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """Add a session; it may not overlap another.  Enrolled residents are told."""
        data = s.SessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_add(
            actor=request.user, offering_id=offering_id, **data.validated_data
        )
        return Response(s.CourseSessionOutput(session).data, status=status.HTTP_201_CREATED)


class SessionApi(APIView):
    @extend_schema(request=s.SessionInput, responses={200: s.CourseSessionOutput})
    def patch(self, request: AuthenticatedRequest, session_id: int) -> Response:
        """Move a session; enrolled residents are told."""
        data = s.SessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_update(
            actor=request.user, session_id=session_id, **data.validated_data
        )
        return Response(s.CourseSessionOutput(session).data)


class SessionCancelApi(APIView):
    @extend_schema(request=None, responses={200: s.CourseSessionOutput})
    def post(self, request: AuthenticatedRequest, session_id: int) -> Response:
        """Cancel a session; enrolled residents are told."""
        session = services.session_cancel(actor=request.user, session_id=session_id)
        return Response(s.CourseSessionOutput(session).data)


class OfferingRosterApi(APIView):
    @extend_schema(responses={200: s.RosterOutput})
    def get(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """Who is enrolled, waiting or pending, and who attended which session."""
        offering, enrolments, sessions, present = selectors.roster(
            offering_id=offering_id, actor=request.user
        )
        context = {"sessions": sessions, "present": present}
        roster = {
            "offering": offering.pk,
            "sessions": s.CourseSessionOutput(sessions, many=True).data,
            "enrolments": s.RosterEntryOutput(enrolments, many=True, context=context).data,
        }
        return Response(roster)


class SessionAttendanceApi(APIView):
    @extend_schema(request=s.AttendanceInput, responses={200: s.AttendanceOutput})
    def put(self, request: AuthenticatedRequest, session_id: int, resident_id: int) -> Response:
        """Mark an enrolled resident present (or not) on the roster."""
        data = s.AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        present = services.attendance_set(
            actor=request.user,
            session_id=session_id,
            resident_id=resident_id,
            present=data.validated_data["present"],
        )
        return Response({"session": session_id, "resident": resident_id, "present": present})


class EnrolmentDecisionApi(APIView):
    @extend_schema(request=s.DecisionInput, responses={200: s.EnrolmentOutput})
    def post(self, request: AuthenticatedRequest, enrolment_id: int) -> Response:
        """Accept (needs a free place: 409 ``full``) or decline a pending application."""
        data = s.DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = services.enrolment_decide(
            actor=request.user, enrolment_id=enrolment_id, **data.validated_data
        )
        return Response(s.EnrolmentOutput(enrolment).data)


class OfferingFeedbackApi(APIView):
    @extend_schema(responses={200: s.SurveySummaryOutput})
    def get(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """The survey answers, aggregated and never attributed; withheld while too few."""
        summary = selectors.survey_summary(offering_id=offering_id, actor=request.user)
        return Response(s.SurveySummaryOutput(summary).data)


class OfferingCompletionListApi(APIView):
    @extend_schema(responses={200: s.GradedCompletionOutput(many=True)})
    def get(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """Who completed the offering, with the grade each was given."""
        offering = selectors.offering_get_for_manager(offering_id=offering_id, actor=request.user)
        completions = selectors.completion_list(offering_id=offering.pk)
        return Response(s.GradedCompletionOutput(completions, many=True).data)

    @extend_schema(request=None, responses={200: s.CompletionsRecordedOutput})
    def post(self, request: AuthenticatedRequest, offering_id: int) -> Response:
        """Record now who completed (409 ``not_ended`` before the last session ends).  Doing
        it again changes nothing."""
        completions = services.offering_record_completions(
            offering_id=offering_id, actor=request.user
        )
        return Response({"offering": offering_id, "completed": len(completions)})


class CompletionGradeApi(APIView):
    @extend_schema(request=s.CompletionGradeInput, responses={200: s.GradedCompletionOutput})
    def put(self, request: AuthenticatedRequest, completion_id: int) -> Response:
        """Give, change or clear (``""``) a learner's grade for the offering they completed
        (the offering's lecturers and city staff; anyone else 404).  A university may read it
        when the learner applies for credit.  400 ``invalid_grade`` over 20 characters."""
        data = s.CompletionGradeInput(data=request.data)
        data.is_valid(raise_exception=True)
        completion = services.completion_grade_set(
            actor=request.user, completion_id=completion_id, grade=data.validated_data["grade"]
        )
        return Response(s.GradedCompletionOutput(completion).data)


# --- Calendars --------------------------------------------------------------------------------


class MyCalendarApi(APIView):
    @extend_schema(request=None, responses={201: s.CalendarUrlOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        """A new private address for my sessions' calendar; the old one stops working."""
        token = services.calendar_feed_renew(resident=request.user)
        url = request.build_absolute_uri(reverse("calendar:feed", kwargs={"token": token}))
        return Response({"url": url}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: AuthenticatedRequest) -> Response:
        """Stop my calendar's address working."""
        services.calendar_feed_revoke(resident=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OfferingCalendarApi(APIView):
    """Public: a published offering's sessions, for anyone's calendar."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    renderer_classes = [renderers.JSONRenderer, ICalendarRenderer]

    @extend_schema(
        operation_id="v1_offerings_calendar_retrieve",
        auth=[],
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request: Request, offering_id: int) -> HttpResponse:
        offering = selectors.offering_get_public(offering_id=offering_id)
        return offering_calendar(request, offering)
