"""Universities' credit for town-campus courses: each university's policy (cap and rounding),
its credit agreements (which course counts as which subject, for how many credits), residents'
applications with their consent to share a listed record, and the append-only credit records.

Courses are named by string (``"courses.Course"``, ``"courses.Offering"``): the consortium reads
them only through ``courses.selectors``.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consortium.values import (
    DEFAULT_CAP,
    OPEN_APPLICATION,
    ApplicationStatus,
    Grading,
    RecordKind,
    RecordStatus,
    Rounding,
    RoundingStep,
)

_UNIVERSITY = {"kind": "university"}


class CreditPolicy(models.Model):
    """A university's own rules: how many credits earned here it recognises at most, and how
    it rounds a course's hours ÷ 45.  A university without a row has the defaults."""

    university = models.OneToOneField(
        "identity.Organisation",
        verbose_name=_("university"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to=_UNIVERSITY,
    )
    cap_credits = models.DecimalField(
        _("most credits recognised"), max_digits=5, decimal_places=1, default=DEFAULT_CAP
    )
    rounding = models.CharField(
        _("rounding"), max_length=8, choices=Rounding.choices, default=Rounding.DOWN
    )
    rounding_step = models.CharField(
        _("rounded to"), max_length=4, choices=RoundingStep.choices, default=RoundingStep.HALF
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("credit policy")
        verbose_name_plural = _("credit policies")
        constraints = [
            models.CheckConstraint(condition=Q(cap_credits__gte=0), name="cap_not_negative")
        ]

    def __str__(self) -> str:
        return f"policy of {self.university_id}"


class CreditAgreement(models.Model):
    """A university recognises a course as one of its subjects, for a number of credits, from
    one date to another (open-ended while ``valid_until`` is empty)."""

    university = models.ForeignKey(
        "identity.Organisation",
        verbose_name=_("university"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=_UNIVERSITY,
    )
    course = models.ForeignKey(
        "courses.Course", verbose_name=_("course"), on_delete=models.PROTECT, related_name="+"
    )
    subject_code = models.CharField(_("subject code"), max_length=32)
    subject_name = models.CharField(_("subject name"), max_length=200)
    credits = models.DecimalField(_("credits"), max_digits=4, decimal_places=1)
    grading = models.CharField(_("grading"), max_length=16, choices=Grading.choices)
    # The grades of a scale, best first ("S", "A", "B", "C"); empty for pass/fail.
    grades = models.JSONField(_("grades"), default=list, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # Why the credits differ from the course's hours ÷ 45 (after the university's rounding).
    mismatch_reason = models.TextField(_("why the credits differ from the hours"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["university_id", "subject_code", "id"]
        verbose_name = _("credit agreement")
        verbose_name_plural = _("credit agreements")
        constraints = [
            models.CheckConstraint(condition=Q(credits__gt=0), name="agreement_credits_positive"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_code} {self.subject_name}"


class CreditApplication(models.Model):
    """A resident asks a university to recognise one completed offering, consenting to share
    exactly ``shared_record`` (shown to them before they agreed) with that university."""

    Status = ApplicationStatus

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_applications"
    )
    offering = models.ForeignKey("courses.Offering", on_delete=models.PROTECT, related_name="+")
    university = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    agreement = models.ForeignKey(
        CreditAgreement, on_delete=models.PROTECT, related_name="applications"
    )
    shared_record = models.JSONField()
    consented_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # A decision recorded by a registrar's system (``RegistrarSystemToken``), not a resident.
    decided_by_token = models.ForeignKey(
        "RegistrarSystemToken",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("credit application")
        verbose_name_plural = _("credit applications")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "offering", "university"],
                condition=Q(status__in=OPEN_APPLICATION),
                name="one_open_credit_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} for {self.offering_id} at {self.university_id}: {self.status}"


class AppendOnly(models.QuerySet["CreditRecord"]):
    """Credit records are never changed or removed, not even in bulk."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Credit records are append-only: add a correction instead.")

    def delete(self) -> NoReturn:
        raise TypeError("Credit records are append-only: add a correction instead.")


class CreditRecord(models.Model):
    """One entry of a resident's credit at a university.  Append-only: a row is written once and
    never updated or deleted.

    An approved application writes an ``original`` entry, effective at once.  A correction is
    proposed as a ``correction`` row ``awaiting_second_approval`` that names the entry it
    ``corrects``; a second registrar settles it by appending one more row that names the
    proposal (``settles``): an ``effective`` correction, or a ``refused`` one.  The entry in
    force for an application is the latest effective one that no effective correction
    replaced."""

    Kind = RecordKind
    Status = RecordStatus

    university = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_records"
    )
    application = models.ForeignKey(
        CreditApplication, on_delete=models.PROTECT, related_name="records"
    )
    agreement = models.ForeignKey(CreditAgreement, on_delete=models.PROTECT, related_name="+")
    credits = models.DecimalField(max_digits=4, decimal_places=1)
    grade = models.CharField(max_length=20)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    settles = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="settlement"
    )
    status = models.CharField(max_length=32, choices=Status.choices)
    reason = models.TextField(blank=True)
    # A registrar, or — for an original approved by a registrar's system — empty, with the
    # system's token in ``entered_by_token``.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_by_token = models.ForeignKey(
        "RegistrarSystemToken", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnly.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        constraints = [
            models.CheckConstraint(condition=Q(credits__gte=0), name="record_credits_not_negative"),
            models.CheckConstraint(
                condition=Q(kind=RecordKind.ORIGINAL, corrects__isnull=True)
                | Q(kind=RecordKind.CORRECTION, corrects__isnull=False),
                name="a_correction_corrects_an_entry",
            ),
            models.CheckConstraint(
                condition=~Q(status=RecordStatus.AWAITING_SECOND_APPROVAL)
                | Q(settles__isnull=True, second_approver__isnull=True),
                name="a_proposal_settles_nothing",
            ),
            models.CheckConstraint(
                condition=~Q(kind=RecordKind.CORRECTION)
                | Q(status=RecordStatus.AWAITING_SECOND_APPROVAL)
                | (Q(settles__isnull=False) & Q(second_approver__isnull=False)),
                name="a_settled_correction_has_a_second_approver",
            ),
            models.CheckConstraint(
                condition=Q(second_approver__isnull=True)
                | ~Q(second_approver=models.F("entered_by")),
                name="the_second_approver_is_another_registrar",
            ),
            models.CheckConstraint(
                condition=Q(entered_by__isnull=False) | Q(entered_by_token__isnull=False),
                name="a_record_is_entered_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.credits} for {self.resident_id} at {self.university_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Credit records are append-only: add a correction instead.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Credit records are append-only: add a correction instead.")


class RegistrarSystemToken(models.Model):
    """A university's registrar system's key to the systems API (``Authorization: Bearer``).

    The key is ``<key_prefix>.<secret>``, shown once when made; only a SHA-256 of the secret
    is kept (it is long and random, so a slow hash adds nothing).  A revoked token stays, so
    that the decisions it recorded still name it."""

    university = models.ForeignKey(
        "identity.Organisation",
        verbose_name=_("university"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=_UNIVERSITY,
    )
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("registrar system token")
        verbose_name_plural = _("registrar system tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}) of {self.university_id}"
