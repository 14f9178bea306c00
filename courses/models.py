"""Lecturers, courses and their dated offerings, sessions, enrolment, attendance, completion,
feedback and calendar feeds."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.values import (
    ACTIVE_ENROLMENT,
    Audience,
    Category,
    EnrolmentStatus,
    LecturerStatus,
    Level,
    OfferingStatus,
)


class Lecturer(models.Model):
    """A resident who applied to teach; city staff approve or decline."""

    Status = LecturerStatus

    resident = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lecturer"
    )
    display_name = models.CharField(_("name as a lecturer"), max_length=100)
    name_kana = models.CharField(_("reading (kana)"), max_length=200)
    profile = models.TextField(_("about me"), max_length=2000)
    skills = models.CharField(_("skills"), max_length=500)
    teaching_wishes = models.TextField(_("what I want to teach"), max_length=2000)
    photo = models.ImageField(_("photo"), upload_to="lecturers/", blank=True)
    wants_to_teach_children = models.BooleanField(_("I want to teach children"), default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    applied_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["name_kana", "id"]
        verbose_name = _("lecturer")
        verbose_name_plural = _("lecturers")

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class Course(models.Model):
    """What is taught.  Each dated run of it is an ``Offering``."""

    title = models.CharField(_("title"), max_length=200)
    title_kana = models.CharField(_("reading (kana)"), max_length=400)
    description = models.TextField(_("description"), max_length=5000)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    audience = models.CharField(_("for"), max_length=16, choices=Audience.choices)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ja"
    )
    owner = models.ForeignKey(Lecturer, on_delete=models.PROTECT, related_name="courses")
    # Hours of study a learner puts in, in whole hours: universities count 45 per credit.
    class_hours = models.PositiveSmallIntegerField(_("class hours"), default=0)
    self_study_hours = models.PositiveSmallIntegerField(_("self-study hours"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title_kana", "id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title

    @property
    def study_hours(self) -> int:
        """Class and self-study hours together: what a credit agreement is checked against."""
        return self.class_hours + self.self_study_hours

    @property
    def open_to_children(self) -> bool:
        return self.audience in (Audience.CHILDREN, Audience.ALL)


class Offering(models.Model):
    Status = OfferingStatus

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="offerings")
    lecturers = models.ManyToManyField(Lecturer, related_name="offerings")
    term = models.CharField(_("term"), max_length=50, blank=True)
    venue = models.CharField(_("venue"), max_length=200)
    district = models.ForeignKey(
        "identity.District", verbose_name=_("district"), on_delete=models.PROTECT
    )
    # The card reader at the venue: a card tap there checks residents in to this offering.
    reader = models.ForeignKey(
        "identity.ReaderDevice",
        verbose_name=_("card reader at the venue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    capacity = models.PositiveIntegerField(_("places"))
    fee_yen = models.PositiveIntegerField(_("fee (yen)"), default=0)
    enrolment_opens_at = models.DateTimeField(_("enrolment opens"))
    enrolment_closes_at = models.DateTimeField(_("enrolment closes"))
    requires_approval = models.BooleanField(
        _("the lecturer approves each enrolment"), default=False
    )
    bears_credit = models.BooleanField(_("bears consortium credit"), default=False)
    completion_percent = models.PositiveSmallIntegerField(
        _("attendance needed to complete (%)"), default=80
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Kept in step with the sessions by the services, for filtering and "has it ended?".
    first_session_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_session_ends_at = models.DateTimeField(null=True, blank=True, db_index=True)
    completions_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_session_at", "id"]
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolment_closes_at__gt=models.F("enrolment_opens_at")),
                name="enrolment_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(completion_percent__gte=1) & Q(completion_percent__lte=100),
                name="completion_percent_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.title} {self.term}".strip()

    def has_ended(self, now: datetime | None = None) -> bool:
        """The one answer to "has this offering ended?": its last session is over.  Services,
        selectors and pages all ask here, so that a page never says "ended" where the service
        still enrols, or the other way round."""
        return self.last_session_ends_at is not None and self.last_session_ends_at < (
            now or timezone.now()
        )

    @staticmethod
    def ended_q(now: datetime) -> Q:
        """``has_ended`` as a filter, for lists of offerings."""
        return Q(last_session_ends_at__lt=now)


class Session(models.Model):
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = pgettext_lazy("course", "session")
        verbose_name_plural = pgettext_lazy("course", "sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_it_starts"
            )
        ]

    def __str__(self) -> str:
        return f"{self.offering_id} at {self.starts_at:%Y-%m-%d %H:%M}"


class Enrolment(models.Model):
    Status = EnrolmentStatus

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="enrolments")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    # A guardian who enrolled their child.
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The waiting list is first come, first served by this moment.
    queued_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    # The place in line (1 = next; ``None`` unless waiting) where it is known without another
    # query: annotated by ``selectors.my_enrolments``, counted under the offering's lock by
    # ``services.enrolment_create``.  Not a column.
    waitlist_position: int | None

    class Meta:
        ordering = ["queued_at", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "resident"],
                condition=Q(status__in=ACTIVE_ENROLMENT),
                name="one_active_enrolment_per_resident",
            )
        ]
        indexes = [models.Index(fields=["offering", "status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.resident_id} in {self.offering_id}: {self.status}"


class Attendance(models.Model):
    class Method(models.TextChoices):
        ROSTER = "roster", _("Roster")
        CARD = "card", _("Card tap")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances"
    )
    method = models.CharField(max_length=8, choices=Method.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "resident"], name="one_attendance_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} at {self.session_id}"


class Completion(models.Model):
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="completions")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions"
    )
    completed_at = models.DateTimeField(default=timezone.now)
    sessions_attended = models.PositiveSmallIntegerField()
    sessions_held = models.PositiveSmallIntegerField()
    # The lecturer's grade ("A", "合格"), blank until given.
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offering", "resident"], name="one_completion_each")
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} completed {self.offering_id}"


class SurveyResponse(models.Model):
    """One participant's feedback.  It names no one: who answered is kept apart, in
    ``SurveyReceipt``, only so that nobody answers twice."""

    offering = models.ForeignKey(
        Offering, on_delete=models.CASCADE, related_name="survey_responses"
    )
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(max_length=2000, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="rating_one_to_five"
            )
        ]

    def __str__(self) -> str:
        return f"feedback on {self.offering_id}"


class SurveyReceipt(models.Model):
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offering", "resident"], name="one_answer_each")
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} answered on {self.offering_id}"


class CalendarFeed(models.Model):
    """A resident's private iCalendar feed, found by a secret token (only its hash is kept).
    Revoking makes a new token; the old address stops working."""

    resident = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar of {self.resident_id}"
