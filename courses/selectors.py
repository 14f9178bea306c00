"""Reads of courses, each checked against the acting resident where it crosses a permission
line.  Completion is exposed here for circles and credit transfer to build on."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.audit.services import audit_record
from campus_social.common.errors import NotFound
from campus_social.identity.models import Resident
from campus_social.identity.selectors import resident_children, resident_is_city_staff
from campus_social.safeguarding.selectors import acts_through_guardian, children_acted_for
from campus_social.search import services as search_services
from courses.models import (
    ACTIVE_ENROLMENT,
    Attendance,
    Audience,
    Completion,
    Course,
    Enrolment,
    Lecturer,
    Offering,
    Session,
    SurveyReceipt,
    SurveyResponse,
)

# How early before a session starts a card tap already counts for it.
CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)
# Feedback is shown to lecturers only once this many have answered, so nobody can be singled out.
SURVEY_MIN_RESPONSES = 3


def lecturer_of(resident: object) -> Lecturer | None:
    if not isinstance(resident, Resident):
        return None
    return Lecturer.objects.filter(resident=resident).first()


def lecturer_photo_get(*, lecturer_id: object, actor: object) -> Lecturer:
    """A lecturer whose photo the actor may see, with a photo: the lecturer's own, anyone's for
    city staff, and an approved lecturer's for every signed-in resident (who sees their courses
    and name).  ``NotFound`` for anyone else — an applicant's photo is theirs and the
    reviewers' — and when there is no photo.  Staff looking at an applicant's photo is audited."""
    lecturer = (
        Lecturer.objects.filter(pk=lecturer_id).first() if isinstance(lecturer_id, int) else None
    )
    if lecturer is None or not lecturer.photo:
        raise NotFound(_("No such photo."))
    if lecturer.is_approved:
        return lecturer
    if isinstance(actor, Resident) and lecturer.resident_id == actor.pk:
        return lecturer
    if resident_is_city_staff(actor):
        audit_record(actor=actor, action="lecturer.photo_viewed", target=lecturer)
        return lecturer
    raise NotFound(_("No such photo."))


def lecturer_review_queue(*, actor: object) -> QuerySet[Lecturer]:
    from campus_social.identity.selectors import require_city_staff

    require_city_staff(actor)
    return (
        Lecturer.objects.filter(status=Lecturer.Status.PENDING)
        .select_related("resident")
        .order_by("applied_at")
    )


def lecturers_teaching_children(*, actor: object) -> QuerySet[Lecturer]:
    """Approved lecturers who want to teach children, with their vetting records (city staff
    keep the vetting current)."""
    from campus_social.identity.selectors import require_city_staff

    require_city_staff(actor)
    return (
        Lecturer.objects.filter(status=Lecturer.Status.APPROVED, wants_to_teach_children=True)
        .select_related("resident")
        .prefetch_related("resident__vettings")
        .order_by("name_kana", "id")
    )


def can_manage_offering(resident: object, offering: Offering) -> bool:
    """City staff manage every offering; a lecturer manages the offerings they teach."""
    if resident_is_city_staff(resident):
        return True
    return isinstance(resident, Resident) and offering.lecturers.filter(resident=resident).exists()


def offering_get_for_manager(*, offering_id: object, actor: object) -> Offering:
    """An offering its lecturer (or city staff) may manage; ``NotFound`` for anyone else."""
    offering = (
        Offering.objects.select_related("course", "district").filter(pk=offering_id).first()
        if isinstance(offering_id, int)
        else None
    )
    if offering is None or not can_manage_offering(actor, offering):
        raise NotFound(_("No such offering."))
    return offering


def offering_get_public(*, offering_id: object) -> Offering:
    """A published or cancelled offering, as anyone may see it."""
    offering = (
        Offering.objects.select_related("course", "district")
        .prefetch_related("lecturers", _sessions_prefetch())
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED))
        )
        .filter(pk=offering_id)
        .exclude(status=Offering.Status.DRAFT)
        .first()
        if isinstance(offering_id, int)
        else None
    )
    if offering is None:
        raise NotFound(_("No such offering."))
    return offering


def _sessions_prefetch() -> Prefetch:
    return Prefetch("sessions", queryset=Session.objects.order_by("starts_at"))


@dataclass(frozen=True)
class OfferingFilters:
    category: str = ""
    district: str = ""
    audience: str = ""
    starts_from: date | None = None
    starts_until: date | None = None
    weekday: int | None = None  # ISO: 1 = Monday … 7 = Sunday
    free: bool | None = None
    bears_credit: bool | None = None
    lecturer: int | None = None  # a lecturer's id: only the offerings they teach
    query: str = ""


def offering_list(
    *, filters: OfferingFilters | None = None, viewer: Resident | None = None
) -> QuerySet[Offering]:
    """Published offerings that have not ended, soonest first, with their enrolled counts.  A
    child viewer sees only the courses open to children (the others they could never take).
    With words to find (``filters.query``), the best matches come first instead, as search
    ranks them; raises ``SearchUnavailable`` when the search engine cannot be reached."""
    filters = filters or OfferingFilters()
    offerings = (
        Offering.objects.filter(status=Offering.Status.PUBLISHED)
        .exclude(Offering.ended_q(timezone.now()))
        .select_related("course", "district")
        .prefetch_related("lecturers")
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED))
        )
        .order_by("first_session_at", "id")
    )
    if viewer is not None and viewer.is_child:
        offerings = offerings.filter(course__audience__in=audiences_admitting(resident=viewer))
    if filters.category:
        offerings = offerings.filter(course__category=filters.category)
    if filters.district:
        offerings = offerings.filter(district__slug=filters.district)
    if filters.audience:
        offerings = offerings.filter(course__audience=filters.audience)
    if filters.starts_from:
        offerings = offerings.filter(first_session_at__date__gte=filters.starts_from)
    if filters.starts_until:
        offerings = offerings.filter(first_session_at__date__lte=filters.starts_until)
    # The weekday and lecturer filters look through subqueries: joining sessions or lecturers
    # here would multiply the rows the ``enrolled`` count adds up.
    if filters.weekday:
        # Django counts Sunday as 1; ISO counts Monday as 1.
        on_that_day = Session.objects.filter(starts_at__week_day=filters.weekday % 7 + 1)
        offerings = offerings.filter(pk__in=on_that_day.values("offering_id"))
    if filters.free is not None:
        offerings = offerings.filter(fee_yen=0) if filters.free else offerings.filter(fee_yen__gt=0)
    if filters.bears_credit is not None:
        offerings = offerings.filter(bears_credit=filters.bears_credit)
    if filters.lecturer:
        taught_by = Offering.objects.filter(lecturers__pk=filters.lecturer).values("pk")
        offerings = offerings.filter(pk__in=taught_by)
    if filters.query.strip():
        # Words are search's to match (titles, readings, lecturers, descriptions, in kana and
        # romaji too): it answers the offerings' ids best first, and these filters keep theirs.
        ranked = search_services.ranked_ids(text=filters.query, viewer=viewer, kind="offering")
        offerings = search_services.in_ranked_order(offerings, ranked)
    return offerings


def lecturer_public_name(*, lecturer_id: int) -> str | None:
    """An approved lecturer's name, as the catalogue filtered to them shows it (anyone may read
    it: their courses are public); ``None`` for anyone else."""
    return (
        Lecturer.objects.filter(pk=lecturer_id, status=Lecturer.Status.APPROVED)
        .values_list("display_name", flat=True)
        .first()
    )


def course_list() -> QuerySet[Course]:
    return Course.objects.select_related("owner").order_by("title_kana", "id")


def lecturer_courses(*, actor: Resident) -> QuerySet[Course]:
    """The courses the resident owns as a lecturer (to make offerings of)."""
    return Course.objects.filter(owner__resident=actor).order_by("title_kana", "id")


def lecturer_offerings(*, actor: Resident) -> QuerySet[Offering]:
    """The offerings the resident teaches (all of them for city staff), newest first."""
    offerings = Offering.objects.select_related("course", "district").annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED)),
        waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)),
        pending=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.PENDING)),
    )
    if not resident_is_city_staff(actor):
        offerings = offerings.filter(lecturers__resident=actor)
    return offerings.order_by("-first_session_at", "-id")


def my_enrolments(*, resident: Resident) -> QuerySet[Enrolment]:
    """The resident's enrolments and those of the children they are guardian of, each with its
    ``waitlist_position`` (as ``waitlist_position()`` gives it) counted in the same query."""
    ahead = (
        Enrolment.objects.filter(
            offering_id=OuterRef("offering_id"), status=Enrolment.Status.WAITLISTED
        )
        .filter(
            Q(queued_at__lt=OuterRef("queued_at"))
            | Q(queued_at=OuterRef("queued_at"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values("offering_id")
        .annotate(count=Count("id"))
        .values("count")
    )
    # django-stubs reads an annotation named like a declared attribute as a redefinition; here
    # it is the point: the annotation fills ``Enrolment.waitlist_position``.
    return (
        Enrolment.objects.filter(Q(resident=resident) | Q(enrolled_by=resident))  # type: ignore[no-redef]
        .select_related("offering", "offering__course", "offering__district", "resident")
        .annotate(
            waitlist_position=Case(
                When(
                    status=Enrolment.Status.WAITLISTED,
                    then=Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1,
                ),
                default=None,
                output_field=IntegerField(),
            )
        )
        .order_by("-created_at", "-id")
    )


def waitlist_position(enrolment: Enrolment) -> int | None:
    """1 for the first in line; ``None`` unless waiting."""
    if enrolment.status != Enrolment.Status.WAITLISTED:
        return None
    ahead = Enrolment.objects.filter(
        offering_id=enrolment.offering_id, status=Enrolment.Status.WAITLISTED
    ).filter(
        Q(queued_at__lt=enrolment.queued_at) | Q(queued_at=enrolment.queued_at, id__lt=enrolment.pk)
    )
    return ahead.count() + 1


def roster(
    *, offering_id: object, actor: object
) -> tuple[Offering, list[Enrolment], list[Session], set[tuple[int, int]]]:
    """Who is enrolled, the sessions, and who attended which, for the offering's lecturer."""
    offering = offering_get_for_manager(offering_id=offering_id, actor=actor)
    enrolments = list(
        Enrolment.objects.filter(offering=offering)
        .exclude(status__in=[Enrolment.Status.CANCELLED, Enrolment.Status.DECLINED])
        .select_related("resident")
        .order_by("status", "queued_at", "id")
    )
    sessions = list(offering.sessions.order_by("starts_at"))
    present = set(
        Attendance.objects.filter(session__offering=offering).values_list(
            "session_id", "resident_id"
        )
    )
    return offering, enrolments, sessions, present


def session_attendance_open(*, session: Session, now: datetime | None = None) -> bool:
    """Attendance may be taken from ``CHECK_IN_OPENS_BEFORE`` the start on: the same moment
    for the roster as for a card tap at the venue."""
    return session.starts_at - CHECK_IN_OPENS_BEFORE <= (now or timezone.now())


def session_running_for_reader(*, reader_id: int, now: datetime | None = None) -> QuerySet[Session]:
    """Sessions under way (or about to start) at the venue of this card reader."""
    now = now or timezone.now()
    return Session.objects.filter(
        offering__reader_id=reader_id,
        offering__status=Offering.Status.PUBLISHED,
        cancelled_at__isnull=True,
        starts_at__lte=now + CHECK_IN_OPENS_BEFORE,
        ends_at__gte=now,
    ).select_related("offering", "offering__course")


def session_resident_enrolled(*, session: Session, resident: Resident) -> bool:
    """Is ``resident`` enrolled (not waiting) in the offering this session belongs to?"""
    return Enrolment.objects.filter(
        offering_id=session.offering_id, resident=resident, status=Enrolment.Status.ENROLLED
    ).exists()


# --- What an offering's page shows: one answer, from the rules the services apply -------------


def audience_admits(*, audience: str, resident: Resident) -> bool:
    """May this resident take a course for this audience?  ``enrolment_create`` refuses whom
    this refuses; the pages offer the button and list the course only where this admits."""
    band = resident.age_band
    if audience == Audience.CHILDREN:
        return band == "child"
    if audience == Audience.SENIORS:
        return band == "senior"
    if audience == Audience.ADULTS:
        return band != "child"
    return True


def audiences_admitting(*, resident: Resident) -> list[str]:
    """The audiences whose courses admit the resident (``audience_admits``), for a query."""
    return [
        audience
        for audience in Audience.values
        if audience_admits(audience=audience, resident=resident)
    ]


@dataclass(frozen=True)
class OfferingParticipant:
    resident: Resident
    enrolment: Enrolment | None
    active: bool  # enrolled, waiting or pending
    position: int | None  # in the waiting line
    completed: bool
    may_enrol: bool  # the button is offered: the service would take it
    may_leave: bool


@dataclass(frozen=True)
class OfferingEnrolmentState:
    """What a page says about taking part in an offering, for one viewer (or nobody)."""

    window: str  # "cancelled", "ended", "not_open", "closed" or "open"
    ended: bool
    places_left: int | None  # None once it has ended or was cancelled: no places to speak of
    sign_in_needed: bool  # a visitor could enrol after signing in
    ask_guardian: bool  # a child who could take it, whose guardian enrols them
    me: OfferingParticipant | None
    children: list[OfferingParticipant]

    @property
    def may_enrol_anyone(self) -> bool:
        """Someone looking at the page could enrol (or join the waiting list), once signed in."""
        people = [self.me, *self.children] if self.me is not None else []
        return self.sign_in_needed or any(person.may_enrol for person in people if person)


def offering_enrolment_state(
    *, offering: Offering, resident: Resident | None, now: datetime | None = None
) -> OfferingEnrolmentState:
    """The enrolment window, places, and for the viewer and their children: enrolled, waiting,
    pending or completed, and whether they may enrol or leave.  The offering comes from
    ``offering_get_public`` (with its ``enrolled`` count)."""
    now = now or timezone.now()
    ended = offering.has_ended(now)
    if offering.status == Offering.Status.CANCELLED:
        window = "cancelled"
    elif ended:
        window = "ended"
    elif now < offering.enrolment_opens_at:
        window = "not_open"
    elif now > offering.enrolment_closes_at:
        window = "closed"
    else:
        window = "open"
    places_left = (
        max(offering.capacity - getattr(offering, "enrolled", 0), 0)
        if window not in ("cancelled", "ended")
        else None
    )
    if resident is None:
        return OfferingEnrolmentState(
            window=window,
            ended=ended,
            places_left=places_left,
            sign_in_needed=window == "open",
            ask_guardian=False,
            me=None,
            children=[],
        )
    latest: dict[int, Enrolment] = {}
    for enrolment in my_enrolments(resident=resident).filter(offering_id=offering.pk):
        latest.setdefault(enrolment.resident_id, enrolment)  # the newest of each person
    completed_ids = set(
        Completion.objects.filter(offering_id=offering.pk, resident_id__in=latest).values_list(
            "resident_id", flat=True
        )
    )
    through_guardian = acts_through_guardian(resident=resident)

    def participant(person: Resident) -> OfferingParticipant:
        enrolment = latest.get(person.pk)
        active = enrolment is not None and enrolment.status in ACTIVE_ENROLMENT
        return OfferingParticipant(
            resident=person,
            enrolment=enrolment,
            active=active,
            position=enrolment.waitlist_position if enrolment is not None else None,
            completed=person.pk in completed_ids,
            # A child never enrols themselves: their guardian does, from this same page
            # (safeguarding's ``acting_for``, which the enrolment services ask).
            may_enrol=window == "open"
            and not active
            and not through_guardian
            and audience_admits(audience=offering.course.audience, resident=person),
            may_leave=active and window not in ("cancelled", "ended") and not through_guardian,
        )

    me = participant(resident)
    # The children the services let this viewer act for: their own, and still children.
    children = (
        [participant(child) for child in children_acted_for(actor=resident)]
        if offering.course.open_to_children
        else []
    )
    return OfferingEnrolmentState(
        window=window,
        ended=ended,
        places_left=places_left,
        sign_in_needed=False,
        ask_guardian=through_guardian
        and window == "open"
        and not me.active
        and audience_admits(audience=offering.course.audience, resident=resident),
        me=me,
        children=children,
    )


# --- Completion: what circles and credit transfer build on ------------------------------------


def completion_list(*, offering_id: int) -> QuerySet[Completion]:
    return Completion.objects.filter(offering_id=offering_id).select_related("resident")


def resident_completions(*, resident: Resident) -> QuerySet[Completion]:
    return Completion.objects.filter(resident=resident).select_related(
        "offering", "offering__course"
    )


def my_completions(*, resident: Resident) -> QuerySet[Completion]:
    """The courses the resident and the children they are guardian of have completed, newest
    first (what "my courses" shows, for the API too)."""
    return (
        Completion.objects.filter(
            Q(resident=resident) | Q(resident__in=resident_children(resident=resident))
        )
        .select_related("offering", "offering__course", "offering__district", "resident")
        .order_by("-completed_at", "-id")
    )


def resident_has_completed(*, resident: Resident, offering_id: int) -> bool:
    return Completion.objects.filter(resident=resident, offering_id=offering_id).exists()


# --- Credit: what the consortium may read (it reads no courses table itself) ------------------


@dataclass(frozen=True)
class CreditCourse:
    """A course as a university's credit agreement sees it."""

    id: int
    title: str
    class_hours: int
    self_study_hours: int

    @property
    def study_hours(self) -> int:
        return self.class_hours + self.self_study_hours


@dataclass(frozen=True)
class CreditEvidence:
    """One resident's completion of one offering, as the consortium may read it (and share it
    with a university, with the resident's consent): nothing more than this."""

    offering_id: int
    course: CreditCourse
    term: str
    # The offering's dates: its first session's day and its last session's day (local time).
    starts_on: date | None
    ends_on: date | None
    bears_credit: bool
    completion_id: int
    completed_at: datetime
    sessions_attended: int
    sessions_held: int
    # The lecturer's grade, "" until given.
    grade: str


def _credit_course(course: Course) -> CreditCourse:
    return CreditCourse(
        id=course.pk,
        title=course.title,
        class_hours=course.class_hours,
        self_study_hours=course.self_study_hours,
    )


def credit_course_get(*, course_id: object) -> CreditCourse:
    """A course's title and hours (``NotFound`` for an unknown one)."""
    course = Course.objects.filter(pk=course_id).first() if isinstance(course_id, int) else None
    if course is None:
        raise NotFound(_("No such course."))
    return _credit_course(course)


def credit_courses(*, course_ids: list[int]) -> dict[int, CreditCourse]:
    """The titles and hours of several courses in one query, by id."""
    return {
        course.pk: _credit_course(course) for course in Course.objects.filter(pk__in=course_ids)
    }


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def credit_evidence(*, offering_id: int, resident_id: int) -> CreditEvidence | None:
    """What the resident's completion of the offering shows (attendance, completion, the
    lecturer's grade, the course's hours and the offering's dates), or ``None`` when they have
    not completed it.  One query."""
    completion = (
        Completion.objects.select_related("offering", "offering__course")
        .filter(offering_id=offering_id, resident_id=resident_id)
        .first()
    )
    if completion is None:
        return None
    offering = completion.offering
    return CreditEvidence(
        offering_id=offering.pk,
        course=_credit_course(offering.course),
        term=offering.term,
        starts_on=_local_day(offering.first_session_at),
        ends_on=_local_day(offering.last_session_ends_at),
        bears_credit=offering.bears_credit,
        completion_id=completion.pk,
        completed_at=completion.completed_at,
        sessions_attended=completion.sessions_attended,
        sessions_held=completion.sessions_held,
        grade=completion.grade,
    )


def offering_cohort_ids(*, offering_id: int) -> list[int]:
    """Residents enrolled in the offering (its cohort)."""
    return list(
        Enrolment.objects.filter(
            offering_id=offering_id, status=Enrolment.Status.ENROLLED
        ).values_list("resident_id", flat=True)
    )


# --- For the apps above: an offering's cohort, read through verbs (docs/architecture.md) --------


@dataclass(frozen=True)
class CohortOffering:
    """What a circle born from a published offering is made of, as plain values: the apps
    above read no courses table themselves."""

    id: int
    title: str
    title_kana: str
    description: str
    category: str
    district_id: int
    open_to_children: bool
    # The residents who teach it, first lecturer first (the circle's organiser).
    lecturer_ids: list[int]


def published_offering_ids() -> list[int]:
    """The published offerings, in order of creation."""
    return list(
        Offering.objects.filter(status=Offering.Status.PUBLISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def offerings_with_completions_ids() -> list[int]:
    """The offerings whose completions are recorded (they have ended), in order of creation."""
    return list(
        Offering.objects.filter(completions_recorded_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def offering_lecturer_ids(*, offering_id: int) -> list[int]:
    """The residents who teach an offering, first lecturer (by registration) first."""
    return list(
        Lecturer.objects.filter(offerings=offering_id)
        .order_by("pk")
        .values_list("resident_id", flat=True)
    )


def cohort_offering_get(*, offering_id: int) -> CohortOffering | None:
    """A published offering as a cohort's circle needs it; ``None`` if it is not published."""
    offering = (
        Offering.objects.select_related("course")
        .filter(pk=offering_id, status=Offering.Status.PUBLISHED)
        .first()
    )
    if offering is None:
        return None
    course = offering.course
    return CohortOffering(
        id=offering.pk,
        title=str(offering),
        title_kana=course.title_kana,
        description=course.description,
        category=course.category,
        district_id=offering.district_id,
        open_to_children=course.open_to_children,
        lecturer_ids=offering_lecturer_ids(offering_id=offering.pk),
    )


def offering_seated_residents(*, offering_id: int) -> dict[int, int | None]:
    """The residents holding a seat in the offering, each with who enrolled them (a guardian
    for a child, else themselves or ``None``)."""
    return dict(
        Enrolment.objects.filter(offering_id=offering_id, status=Enrolment.Status.ENROLLED)
        .order_by("pk")
        .values_list("resident_id", "enrolled_by_id")
    )


def offering_sessions_held(
    *, offering_ref: Any, now: datetime, since: datetime | None = None
) -> QuerySet[Session]:
    """The sessions of an offering (an ``OuterRef`` to its id) held by ``now`` — since
    ``since`` if given — latest first: for another app's ``Subquery`` or ``Exists``."""
    sessions = Session.objects.filter(
        offering=offering_ref, cancelled_at__isnull=True, starts_at__lte=now
    )
    if since is not None:
        sessions = sessions.filter(starts_at__gte=since)
    return sessions.order_by("-starts_at")


def offering_last_session_held(*, offering_ref: Any, now: datetime) -> Subquery:
    """When an offering (an ``OuterRef`` to its id) last held a session, as a subquery."""
    return Subquery(
        offering_sessions_held(offering_ref=offering_ref, now=now).values("starts_at")[:1]
    )


@dataclass(frozen=True)
class SurveySummary:
    responses: int
    average: float | None
    distribution: dict[int, int]
    comments: list[str]
    withheld: bool  # fewer answers than SURVEY_MIN_RESPONSES: nothing is shown


def survey_answered(*, resident: Resident, offering_id: int) -> bool:
    """Whether the resident has already answered the offering's survey."""
    return SurveyReceipt.objects.filter(resident=resident, offering_id=offering_id).exists()


def survey_summary(*, offering_id: object, actor: object) -> SurveySummary:
    """The feedback on an offering, aggregated; never who said what."""
    offering = offering_get_for_manager(offering_id=offering_id, actor=actor)
    responses = list(SurveyResponse.objects.filter(offering=offering).order_by("?"))
    if len(responses) < SURVEY_MIN_RESPONSES:
        return SurveySummary(len(responses), None, {}, [], withheld=True)
    distribution = dict.fromkeys(range(1, 6), 0)
    for response in responses:
        distribution[response.rating] += 1
    average = round(sum(r.rating for r in responses) / len(responses), 1)
    comments = [r.comment for r in responses if r.comment.strip()]
    return SurveySummary(len(responses), average, distribution, comments, withheld=False)


@dataclass(frozen=True)
class LearnerSession:
    """A session of an offering ``resident`` (the reader or one of their children) is in."""

    resident: Resident
    session: Session


def my_upcoming_sessions(
    *, resident: Resident, now: datetime | None = None
) -> list[LearnerSession]:
    """The sessions not yet over of the offerings the resident and their children are enrolled
    in, soonest first, one row per learner (cancelled ones too, marked): "next sessions" on my
    courses, and ``GET /api/v1/me/course-sessions/``."""
    now = now or timezone.now()
    people = {person.pk: person for person in [resident, *resident_children(resident=resident)]}
    # One filter() call and an annotation on the same join: each row is one session paired
    # with the one enrolment that brought it.
    sessions = (
        Session.objects.filter(
            ends_at__gte=now,
            offering__enrolments__status=Enrolment.Status.ENROLLED,
            offering__enrolments__resident_id__in=list(people),
        )
        .exclude(offering__status=Offering.Status.DRAFT)
        .annotate(learner_id=F("offering__enrolments__resident_id"))
        .select_related("offering", "offering__course", "offering__district")
        .order_by("starts_at", "id", "learner_id")
    )
    return [
        LearnerSession(resident=people[session.learner_id], session=session) for session in sessions
    ]


def resident_sessions(*, resident: Resident) -> QuerySet[Session]:
    """The sessions of the offerings the resident is enrolled in (for the calendar)."""
    return (
        Session.objects.filter(
            offering__enrolments__resident=resident,
            offering__enrolments__status=Enrolment.Status.ENROLLED,
        )
        .exclude(offering__status=Offering.Status.DRAFT)
        .select_related("offering", "offering__course")
        .order_by("starts_at")
    )
