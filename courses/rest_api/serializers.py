from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campus_social.common.api import BooleanField, DistrictOutput
from campus_social.common.ids import IdField
from campus_social.common.text import TextField, lazy_message
from campus_social.identity.rest_api.serializers import PersonOutput
from courses import selectors
from courses.models import Audience, Category, Enrolment, Lecturer, Level, Offering

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


# Input serializers check what the description states; the services own every rule.
class OfferingListQuery(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    district = serializers.SlugField(required=False, help_text="A district's code (slug).")
    audience = serializers.ChoiceField(choices=Audience.choices, required=False)
    # ``from`` is a Python keyword: the field is added in ``get_fields``.
    until = serializers.DateField(
        required=False, help_text="The first session is on or before this day."
    )
    weekday = serializers.IntegerField(
        min_value=1, max_value=7, required=False, help_text="A session on this day: 1 = Monday."
    )
    # ``allow_null`` keeps an absent flag absent: query strings would otherwise read it as false.
    free = serializers.BooleanField(required=False, allow_null=True)
    credit = serializers.BooleanField(required=False, allow_null=True)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Title or lecturer, or kana."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, help_text="The first session is on or after this day."
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts_from, until = attrs.get("from"), attrs.get("until")
        if starts_from and until and until < starts_from:
            raise serializers.ValidationError({"until": [_("Give a day on or after “from”.")]})
        return attrs


# The services' limits and messages, stated where the description and DRF can see them: a
# request the description calls valid is one the service accepts, unless it breaks a rule that
# depends on stored rows or on another field (a district's code, enrolment closing after it
# opens), which the service alone checks.
_FILL_IN = _("Please fill this in.")
_CHOOSE = _("Please choose one of the options.")


def _text(limit: int, *, blank: bool = False, **kwargs: Any) -> TextField:
    """Free text as ``services._text`` takes it: at most ``limit`` characters, and not blank
    unless ``blank``."""
    return TextField(
        max_length=limit,
        allow_blank=blank,
        error_messages={
            "required": _FILL_IN,
            "blank": _FILL_IN,
            "max_length": lazy_message(
                gettext_noop("Please use at most %(limit)d characters."), limit=limit
            ),
        },
        **kwargs,
    )


def _choice(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices, error_messages={"invalid_choice": _CHOOSE}, **kwargs
    )


def _whole_number(
    low: int, high: int, message: "StrOrPromise", **kwargs: Any
) -> serializers.IntegerField:
    """A whole number from ``low`` to ``high``, refused with the service's ``message``."""
    return serializers.IntegerField(
        min_value=low,
        max_value=high,
        error_messages={"required": _FILL_IN, "min_value": message, "max_value": message},
        **kwargs,
    )


_HOURS_MESSAGE = lazy_message(
    gettext_noop("Hours must be a whole number from 0 to %(limit)d."), limit=1000
)


class CourseInput(serializers.Serializer):
    title = _text(200)
    title_kana = _text(400)
    description = _text(5000, multiline=True)
    category = _choice(Category.choices)
    level = _choice(Level.choices)
    audience = _choice(Audience.choices)
    language = _choice([("ja", "日本語"), ("en", "English")], required=False)
    class_hours = _whole_number(
        0,
        1000,
        _HOURS_MESSAGE,
        required=False,
    )
    self_study_hours = _whole_number(
        0,
        1000,
        _HOURS_MESSAGE,
        required=False,
    )


class OfferingUpdateInput(serializers.Serializer):
    """Only the fields sent are changed.  ``enrolment_closes_at`` must be after
    ``enrolment_opens_at`` (as stored, when only one is sent), and ``district`` and ``reader``
    must name a district and an active card reader."""

    term = _text(50, blank=True, required=False)
    venue = _text(200, required=False)
    district = serializers.SlugField(required=False, help_text="A district's code (slug).")
    capacity = _whole_number(
        1, 1000, _("Places must be a whole number from 1 to 1000."), required=False
    )
    fee_yen = _whole_number(
        0, 1_000_000, _("The fee must be a whole number of yen, 0 or more."), required=False
    )
    enrolment_opens_at = serializers.DateTimeField(required=False)
    enrolment_closes_at = serializers.DateTimeField(required=False)
    requires_approval = BooleanField(required=False)
    bears_credit = BooleanField(required=False)
    completion_percent = _whole_number(
        1,
        100,
        _("Give a percentage from 1 to 100."),
        required=False,
        help_text="The share of sessions a learner attends to complete the course.",
    )
    reader = IdField(
        required=False, allow_null=True, help_text="The id of the card reader at the venue."
    )


class OfferingCreateInput(OfferingUpdateInput):
    course = IdField()
    venue = _text(200)
    district = serializers.SlugField(
        help_text="A district's code (slug).", error_messages={"required": _FILL_IN}
    )
    capacity = _whole_number(1, 1000, _("Places must be a whole number from 1 to 1000."))
    enrolment_opens_at = serializers.DateTimeField(error_messages={"required": _FILL_IN})
    enrolment_closes_at = serializers.DateTimeField(error_messages={"required": _FILL_IN})


class OfferingCopyInput(serializers.Serializer):
    shift_days = _whole_number(1, 3650, _("Move it by 1 to 3650 days."))
    term = _text(50, blank=True, required=False, default="")


class SessionInput(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class EnrolmentInput(serializers.Serializer):
    resident = IdField(
        required=False, allow_null=True, help_text="A child of mine; leave out to enrol myself."
    )


class EnrolmentCancelQuery(serializers.Serializer):
    resident = IdField(required=False, help_text="A child of mine; leave out for my own enrolment.")


class DecisionInput(serializers.Serializer):
    approve = BooleanField()


class LecturerDecisionInput(DecisionInput):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class LecturerApplyInput(serializers.Serializer):
    display_name = _text(100)
    name_kana = _text(200)
    profile = _text(2000, multiline=True)
    skills = _text(500)
    teaching_wishes = _text(2000, multiline=True)
    wants_to_teach_children = BooleanField(required=False, default=False)
    photo = serializers.FileField(
        required=False, allow_null=True, help_text="An image; send the form as multipart."
    )


class AttendanceInput(serializers.Serializer):
    present = BooleanField()


class SurveyInput(serializers.Serializer):
    rating = serializers.IntegerField(help_text="1 (poor) to 5 (very good).")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


# --- Output ---------------------------------------------------------------------------------


def _photo_url(serializer: serializers.Field, lecturer: Lecturer) -> str | None:
    """Where the photo is served, checking who asks (``/api/v1/lecturers/{id}/photo/``) — never
    the storage path.  Absolute when the request is at hand."""
    if not lecturer.photo:
        return None
    url = reverse("courses:lecturer-photo", kwargs={"lecturer_id": lecturer.pk})
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


class LecturerBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    name_kana = serializers.CharField()
    photo = serializers.SerializerMethodField(help_text="The photo's address, or null.")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_photo(self, lecturer: Lecturer) -> str | None:
        return _photo_url(self, lecturer)


class LecturerOutput(serializers.ModelSerializer):
    photo = serializers.SerializerMethodField(
        help_text="The photo's address (seen by me, city staff and, once approved, everyone "
        "signed in), or null."
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_photo(self, lecturer: Lecturer) -> str | None:
        return _photo_url(self, lecturer)

    class Meta:
        model = Lecturer
        fields = [
            "id",
            "display_name",
            "name_kana",
            "profile",
            "skills",
            "teaching_wishes",
            "photo",
            "wants_to_teach_children",
            "status",
            "applied_at",
            "decided_at",
            "decline_reason",
        ]


class LecturerReviewOutput(LecturerOutput):
    """An application as city staff review it; who the resident is stays behind the audited
    ``/api/v1/staff/residents/{id}/``."""

    resident = serializers.IntegerField(source="resident_id")

    class Meta(LecturerOutput.Meta):
        fields = [*LecturerOutput.Meta.fields, "resident"]


class VettingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    # The record is the core's, on the resident; this route names the lecturer it was for.
    lecturer = serializers.SerializerMethodField()
    checked_on = serializers.DateField()
    expires_on = serializers.DateField()
    note = serializers.CharField()

    def get_lecturer(self, record: object) -> int:
        return int(self.context["lecturer_id"])


class CourseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    title_kana = serializers.CharField()
    description = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    level = serializers.ChoiceField(choices=Level.choices)
    audience = serializers.ChoiceField(choices=Audience.choices)
    language = serializers.CharField()
    class_hours = serializers.IntegerField()
    self_study_hours = serializers.IntegerField()
    lecturer = LecturerBriefOutput(source="owner")


class CourseBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    title_kana = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    level = serializers.ChoiceField(choices=Level.choices)
    audience = serializers.ChoiceField(choices=Audience.choices)


class CourseSessionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    offering = serializers.IntegerField(source="offering_id")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)


class OfferingOutput(serializers.Serializer):
    """An offering as residents find it.  Needs the ``enrolled`` count annotated."""

    id = serializers.IntegerField()
    course = CourseBriefOutput()
    lecturers = LecturerBriefOutput(many=True, source="lecturers.all")
    term = serializers.CharField()
    venue = serializers.CharField()
    district = DistrictOutput()
    capacity = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    places_left = serializers.SerializerMethodField()
    fee_yen = serializers.IntegerField()
    enrolment_opens_at = serializers.DateTimeField()
    enrolment_closes_at = serializers.DateTimeField()
    first_session_at = serializers.DateTimeField(allow_null=True)
    last_session_ends_at = serializers.DateTimeField(allow_null=True)
    requires_approval = serializers.BooleanField()
    bears_credit = serializers.BooleanField()
    status = serializers.ChoiceField(choices=Offering.Status.choices)

    def get_places_left(self, offering: Offering) -> int:
        return max(offering.capacity - offering.enrolled, 0)  # type: ignore[attr-defined]


class OfferingDetailOutput(OfferingOutput):
    description = serializers.CharField(source="course.description")
    language = serializers.CharField(source="course.language")
    completion_percent = serializers.IntegerField()
    sessions = CourseSessionOutput(many=True, source="sessions.all")


class ManagedOfferingOutput(serializers.Serializer):
    """An offering as its lecturer manages it (drafts too)."""

    id = serializers.IntegerField()
    course = serializers.IntegerField(source="course_id")
    term = serializers.CharField()
    venue = serializers.CharField()
    district = serializers.CharField(source="district.slug")
    reader = serializers.IntegerField(source="reader_id", allow_null=True)
    capacity = serializers.IntegerField()
    fee_yen = serializers.IntegerField()
    enrolment_opens_at = serializers.DateTimeField()
    enrolment_closes_at = serializers.DateTimeField()
    requires_approval = serializers.BooleanField()
    bears_credit = serializers.BooleanField()
    completion_percent = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Offering.Status.choices)
    first_session_at = serializers.DateTimeField(allow_null=True)
    last_session_ends_at = serializers.DateTimeField(allow_null=True)
    completions_recorded_at = serializers.DateTimeField(allow_null=True)


class TeachingOutput(ManagedOfferingOutput):
    """One of my offerings, with its ``enrolled``, ``waiting`` and ``pending`` counts."""

    title = serializers.CharField(source="course.title")
    enrolled = serializers.IntegerField()
    waiting = serializers.IntegerField()
    pending = serializers.IntegerField()


class EnrolmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    offering = serializers.IntegerField(source="offering_id")
    resident = PersonOutput()
    status = serializers.ChoiceField(choices=Enrolment.Status.choices)
    position = serializers.SerializerMethodField(
        help_text="Place on the waiting list (1 = next); null unless waitlisted."
    )
    created_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField()

    def get_position(self, enrolment: Enrolment) -> int | None:
        # Lists annotate it (``selectors.my_enrolments``) and a new enrolment carries the place
        # counted under the offering's lock; any other enrolment asks once.
        if hasattr(enrolment, "waitlist_position"):
            return enrolment.waitlist_position
        return selectors.waitlist_position(enrolment)


class EnrolledOfferingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="course.title")
    term = serializers.CharField()
    venue = serializers.CharField()
    district = serializers.CharField(source="district.slug")
    first_session_at = serializers.DateTimeField(allow_null=True)
    last_session_ends_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=Offering.Status.choices)


class MyCourseSessionOutput(serializers.Serializer):
    """A session coming up for me or one of my children (``resident``)."""

    resident = PersonOutput()
    id = serializers.IntegerField(source="session.id")
    offering = EnrolledOfferingOutput(source="session.offering")
    starts_at = serializers.DateTimeField(source="session.starts_at")
    ends_at = serializers.DateTimeField(source="session.ends_at")
    cancelled_at = serializers.DateTimeField(source="session.cancelled_at", allow_null=True)


class MyEnrolmentOutput(EnrolmentOutput):
    """``offering`` is a summary here; ``resident`` is me or one of my children."""

    offering = EnrolledOfferingOutput()  # type: ignore[assignment]


class SessionAttendanceOutput(serializers.Serializer):
    session = serializers.IntegerField()
    present = serializers.BooleanField()


class RosterEntryOutput(serializers.Serializer):
    """One enrolment, with context ``sessions`` and ``present`` from ``selectors.roster``."""

    enrolment = serializers.IntegerField(source="id")
    resident = PersonOutput()
    status = serializers.ChoiceField(choices=Enrolment.Status.choices)
    queued_at = serializers.DateTimeField()
    attendance = serializers.SerializerMethodField(help_text="Each session, in order.")

    @extend_schema_field(SessionAttendanceOutput(many=True))
    def get_attendance(self, enrolment: Enrolment) -> list[dict[str, Any]]:
        present = self.context["present"]
        return [
            {"session": session.pk, "present": (session.pk, enrolment.resident_id) in present}
            for session in self.context["sessions"]
        ]


class RosterOutput(serializers.Serializer):
    offering = serializers.IntegerField()
    sessions = CourseSessionOutput(many=True)
    enrolments = RosterEntryOutput(many=True)


class AttendanceOutput(serializers.Serializer):
    session = serializers.IntegerField()
    resident = serializers.IntegerField()
    present = serializers.BooleanField()


class SurveySummaryOutput(serializers.Serializer):
    responses = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(
        child=serializers.IntegerField(), help_text="How many gave each rating, 1 to 5."
    )
    comments = serializers.ListField(child=serializers.CharField())
    withheld = serializers.BooleanField(
        help_text="Too few answers to show anything without singling someone out."
    )


class CompletionOutput(serializers.Serializer):
    resident = PersonOutput()
    completed_at = serializers.DateTimeField()
    sessions_attended = serializers.IntegerField()
    sessions_held = serializers.IntegerField()


class GradedCompletionOutput(CompletionOutput):
    """A completion as the offering's lecturers see it: with its id and their grade."""

    id = serializers.IntegerField()
    grade = serializers.CharField(help_text='The lecturer\'s grade ("A", "合格"); "" until given.')
    graded_at = serializers.DateTimeField(allow_null=True)


class CompletionGradeInput(serializers.Serializer):
    grade = _text(20, blank=True, help_text='At most 20 characters; "" clears the grade.')


class MyCompletionOutput(CompletionOutput):
    """A course completed by me or one of my children (``resident``)."""

    offering = EnrolledOfferingOutput()


class CompletionsRecordedOutput(serializers.Serializer):
    offering = serializers.IntegerField()
    completed = serializers.IntegerField(help_text="How many residents completed.")


class CalendarUrlOutput(serializers.Serializer):
    url = serializers.URLField(help_text="The private feed address; it is shown only this once.")
