"""One identity per person, keyed by the resident card — never by the My Number."""

import calendar
import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CHILD_UNTIL_AGE = 18
SENIOR_FROM_AGE = 65


class AgeBand(models.TextChoices):
    CHILD = "child", _("Child (under 18)")
    ADULT = "adult", _("Adult")
    SENIOR = "senior", _("Senior (65 and over)")


def age_on(birth_date: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def adult_born_on_or_before(day: date) -> date:
    """The latest birth date of someone who is an adult on ``day``: ``age_on`` as a date bound,
    for database filters.  Born on 29 February, one comes of age on 1 March in other years."""
    year = day.year - CHILD_UNTIL_AGE
    if (day.month, day.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, day.month, day.day)


def age_band_for(age: int) -> AgeBand:
    if age < CHILD_UNTIL_AGE:
        return AgeBand.CHILD
    if age >= SENIOR_FROM_AGE:
        return AgeBand.SENIOR
    return AgeBand.ADULT


class District(models.Model):
    """A district of the city, where residents live and courses meet."""

    slug = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_kana = models.CharField(_("reading (kana)"), max_length=200, blank=True)

    class Meta:
        ordering = ["name_kana", "name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("City office")
        SCHOOL = "school", _("School")
        UNIVERSITY = "university", _("University")
        OTHER = "other", _("Other organisation")

    slug = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_kana = models.CharField(_("reading (kana)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class ResidentManager(BaseUserManager["Resident"]):
    use_in_migrations = True

    def create_user(
        self, login_name: str | None = None, password: str | None = None, **fields: Any
    ) -> "Resident":
        resident = self.model(login_name=login_name or f"r-{uuid.uuid4().hex[:16]}", **fields)
        resident.set_password(password)  # None leaves an unusable password: card login only
        resident.save(using=self._db)
        return resident

    def create_superuser(
        self, login_name: str, password: str | None = None, **fields: Any
    ) -> "Resident":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(login_name, password, **fields)


class Resident(AbstractBaseUser, PermissionsMixin):
    """A person of the town.  Residents sign in with their card; operators also by password.

    ``is_staff`` is Django-admin access for operators only.  City staff are residents who hold
    the ``staff`` role in the city office (see ``selectors.resident_is_city_staff``).
    """

    login_name = models.CharField(_("login name"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=150)
    given_name = models.CharField(
        _("given name"), max_length=80, help_text=_("Shown alone for children.")
    )
    name_kana = models.CharField(_("name reading (kana)"), max_length=300, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("home district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ja"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("operator (admin site)"), default=False)
    date_joined = models.DateTimeField(_("registered"), default=timezone.now)

    objects = ResidentManager()

    USERNAME_FIELD = "login_name"
    REQUIRED_FIELDS = ["name", "given_name"]

    class Meta:
        ordering = ["name_kana", "name", "id"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return self.display_name

    @property
    def age(self) -> int | None:
        if self.birth_date is None:
            return None
        return age_on(self.birth_date, timezone.localdate())

    @property
    def age_band(self) -> AgeBand | None:
        age = self.age
        return None if age is None else age_band_for(age)

    @property
    def is_child(self) -> bool:
        return self.age_band == AgeBand.CHILD

    @property
    def display_name(self) -> str:
        """The name others see: a child's given name only.  The rule is safeguarding's
        (``visible_name``); imported here, not at the top, because safeguarding reads this model."""
        from campus_social.safeguarding.selectors import visible_name

        return visible_name(resident=self)


class OrganisationRole(models.Model):
    class Role(models.TextChoices):
        STAFF = "staff", _("Staff")
        COORDINATOR = "coordinator", _("Coordinator")
        TEACHER = "teacher", _("Teacher")
        REGISTRAR = "registrar", _("Registrar")
        MEMBER = "member", _("Member")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        verbose_name = _("role in an organisation")
        verbose_name_plural = _("roles in organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "organisation", "role"], name="unique_role_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_role_display()}"


class GuardianLink(models.Model):
    """A guardian answers for a child: consent, enrolment, reading the child's rooms."""

    guardian = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="guardian_links")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("guardian link")
        verbose_name_plural = _("guardian links")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "child"], name="unique_guardian_child"),
            models.CheckConstraint(
                condition=~Q(guardian=models.F("child")), name="guardian_is_not_the_child"
            ),
        ]

    def __str__(self) -> str:
        return f"guardian #{self.guardian_id} of #{self.child_id}"


class Card(models.Model):
    """A resident card as this platform knows it: a keyed hash of its identifier and a PIN hash.

    The identifier itself is never stored.  A renewed card gets a new row for the same
    resident and the old one is retired, so one person stays one ``Resident``.
    """

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="cards")
    card_hash = models.CharField(max_length=64, unique=True)
    pin_hash = models.CharField(max_length=128)
    failed_pin_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    issued_at = models.DateTimeField(_("registered"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(retired_at__isnull=True),
                name="one_current_card_per_resident",
            )
        ]

    def __str__(self) -> str:
        return f"card #{self.pk}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class ReaderDevice(models.Model):
    """A registered card reader at a venue.  It signs its requests with its own key.

    The key is ``<key_prefix>.<secret>``; only a SHA-256 of the secret is kept (it is long and
    random, so a slow hash adds nothing).
    """

    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    key_prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    created_by = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("card reader")
        verbose_name_plural = _("card readers")

    def __str__(self) -> str:
        return self.name


class ResidentSession(models.Model):
    """A signed-in session a resident can see and end (Django's sessions are not per user)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    user_agent = models.CharField(_("device"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"session #{self.pk} of #{self.resident_id}"


SCHOOL_YEARS = range(1, 13)  # 小1 … 高3: one school year for the twelve years of school


class SchoolPlacement(models.Model):
    """Which school a child attends, their school year (学年, 1–12) and class: recorded by the
    school's coordinators or city staff.  One current placement per child; a move to another
    school replaces it.  Only the school's coordinators, the child's guardians and the child see
    the school and the class; others may see the grade label (``safeguarding.visible_grade``)."""

    child = models.OneToOneField(
        Resident, on_delete=models.CASCADE, related_name="school_placement"
    )
    school = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="placements", verbose_name=_("school")
    )
    school_year = models.PositiveSmallIntegerField(_("school year"))
    class_name = models.CharField(_("class"), max_length=20, blank=True)
    recorded_by = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["school_year", "class_name", "child__name_kana", "child_id"]
        verbose_name = _("school placement")
        verbose_name_plural = _("school placements")
        constraints = [
            models.CheckConstraint(
                condition=Q(school_year__gte=SCHOOL_YEARS.start)
                & Q(school_year__lt=SCHOOL_YEARS.stop),
                name="school_year_1_to_12",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.child_id} at {self.school_id}, year {self.school_year}"


class GuardianLinkRequest(models.Model):
    """A guardian asks to be linked to a pupil of a school; the school's coordinator confirms
    (which makes the ``GuardianLink``) or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the school")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    guardian = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request to be linked as guardian")
        verbose_name_plural = _("requests to be linked as guardian")
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "child"],
                condition=Q(status="pending"),
                name="one_pending_guardian_request",
            )
        ]

    def __str__(self) -> str:
        return f"guardian request #{self.pk}"
