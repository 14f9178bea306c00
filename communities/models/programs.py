"""Intergenerational programs: a school brings senior volunteers and schoolchildren together
in sessions, with each child's guardian's consent and every volunteer's current vetting.

A program's chat is a ``messaging`` room (``Program.room``) whose membership the services keep
in step with the volunteers and children here.  Nothing in this module names a circle.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.values import (
    GRADE_HIGHEST,
    GRADE_LOWEST,
    ProgramStatus,
    Topic,
    VolunteerStatus,
)


class Program(models.Model):
    Status = ProgramStatus

    school = models.ForeignKey(
        "identity.Organisation",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "school"},
    )
    title = models.CharField(_("title"), max_length=200)
    title_kana = models.CharField(_("reading (kana)"), max_length=400)
    theme = models.CharField(_("theme"), max_length=16, choices=Topic.choices)
    description = models.TextField(_("what the children will do"), max_length=5000)
    grade_min = models.PositiveSmallIntegerField(_("lowest school year"))
    grade_max = models.PositiveSmallIntegerField(_("highest school year"))
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    # As a course offering's venue: a place in words, and the card reader there if any.
    venue = models.CharField(_("venue"), max_length=200)
    reader = models.ForeignKey(
        "identity.ReaderDevice",
        verbose_name=_("card reader at the venue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    district = models.ForeignKey(
        "identity.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    seniors_needed = models.PositiveSmallIntegerField(_("seniors needed"))
    children_needed = models.PositiveSmallIntegerField(_("children needed"))
    # Residents holding the school's ``coordinator`` role, chosen for this program.
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="coordinated_programs", blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    room = models.OneToOneField(
        "messaging.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When it was ended or cancelled (``program_end`` / ``program_cancel``): with ``ends_on``,
    # the day its children's data starts its retention period.
    closed_at = models.DateTimeField(_("ended or cancelled"), null=True, blank=True)
    # When ``communities_program_retention`` deleted or anonymised its children's data (once).
    child_data_purged_at = models.DateTimeField(_("children's data deleted"), null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_min__gte=GRADE_LOWEST)
                & Q(grade_max__lte=GRADE_HIGHEST)
                & Q(grade_min__lte=F("grade_max")),
                name="program_grade_range",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="program_term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Draft or published: people may still be invited, consented and joined."""
        return self.status in (self.Status.DRAFT, self.Status.PUBLISHED)


class ProgramSession(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # How many children were present, counted when retention deleted their attendance rows (so
    # the participation figures survive them); empty until then — count the rows instead.
    children_present = models.PositiveIntegerField(_("children present"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("program session")
        verbose_name_plural = _("program sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="program_session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program_id} at {self.starts_at:%Y-%m-%d %H:%M}"


class VolunteerOffer(models.Model):
    """What a senior offers: skills in words and as topics, where and when they can come.

    ``availability`` is a list of ``"<weekday>-<part of day>"`` slots (``"tue-afternoon"``);
    ``topics`` a list of course categories.  One current offer per senior; withdrawing keeps
    the row so that their programs still name them."""

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_offers"
    )
    skills = models.TextField(_("what I can share"), max_length=2000)
    topics = models.JSONField(_("topics"), default=list)
    districts = models.ManyToManyField("identity.District", related_name="+", blank=True)
    availability = models.JSONField(_("when I can come"), default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("volunteer offer")
        verbose_name_plural = _("volunteer offers")
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_current_volunteer_offer",
            )
        ]

    def __str__(self) -> str:
        return f"offer of {self.resident_id}"


class ProgramVolunteer(models.Model):
    """A senior invited to a program, and their answer."""

    Status = VolunteerStatus

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="volunteers")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_volunteering"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Why they were taken off (``"vetting_expired"``, ``"removed"``), for the coordinator.
    removed_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        verbose_name = _("program volunteer")
        verbose_name_plural = _("program volunteers")
        constraints = [
            models.UniqueConstraint(fields=["program", "resident"], name="one_volunteer_standing")
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} in program {self.program_id}: {self.status}"


class ProgramConsent(models.Model):
    """A guardian's consent for one child in one program, with what they were shown then.

    Current while ``withdrawn_at`` is empty; withdrawing takes effect at once and keeps the row
    (what was agreed, and when it ended, stay on record)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="consents")
    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_consents"
    )
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The program's description and what is recorded, as shown when the guardian agreed.
    activities = models.TextField(_("what the child will do"))
    recorded = models.TextField(_("what is recorded"))
    photos_allowed = models.BooleanField(_("photos may be taken"))
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("guardian's consent")
        verbose_name_plural = _("guardians' consents")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "child"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_current_consent_per_child",
            )
        ]
        indexes = [models.Index(fields=["child", "withdrawn_at"], name="program_consent_child")]

    def __str__(self) -> str:
        return f"consent for {self.child_id} in {self.program_id}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None


class ProgramChild(models.Model):
    """A child taking part in a program (with current consent); ``left_at`` once they leave."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_places"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("child in a program")
        verbose_name_plural = _("children in programs")
        constraints = [
            models.UniqueConstraint(fields=["program", "child"], name="one_place_per_child")
        ]

    def __str__(self) -> str:
        return f"{self.child_id} in program {self.program_id}"


class SessionAttendance(models.Model):
    """Who came to a session, as the coordinator recorded it."""

    session = models.ForeignKey(ProgramSession, on_delete=models.CASCADE, related_name="attendance")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    present = models.BooleanField(_("present"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "resident"], name="one_attendance_each")
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} at {self.session_id}: {self.present}"


class SessionReflection(models.Model):
    """A participant's few words after a session; a guardian may write for a young child
    (``written_by``)."""

    session = models.ForeignKey(
        ProgramSession, on_delete=models.CASCADE, related_name="reflections"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("reflection"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="one_reflection_each")
        ]

    def __str__(self) -> str:
        return f"reflection of {self.author_id} on {self.session_id}"


class SessionPhoto(models.Model):
    session = models.ForeignKey(ProgramSession, on_delete=models.CASCADE, related_name="photos")
    # Re-encoded without metadata (``communities.uploads``), under a random name.
    image = models.ImageField(upload_to="programs/photos/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of {self.session_id}"


class SessionPhotoTag(models.Model):
    """A child shown in a photo: allowed only while their guardian's consent allows photos."""

    photo = models.ForeignKey(SessionPhoto, on_delete=models.CASCADE, related_name="tags")
    child = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["photo", "child"], name="one_tag_per_child")]

    def __str__(self) -> str:
        return f"{self.child_id} in photo {self.photo_id}"
