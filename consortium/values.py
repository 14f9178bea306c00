"""The plain values of the consortium — rounding, grading, the states of an application and a
credit record — that the pages may name without reaching into ``consortium.models``."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

# One credit stands for 45 hours of study (class and self-study together).
HOURS_PER_CREDIT = 45
# Japanese universities recognise up to 60 credits earned elsewhere.
DEFAULT_CAP = Decimal("60")
# The grade a pass/fail agreement approves with.
PASS_GRADE = "pass"  # noqa: S105 (a grade, not a password)


class Rounding(models.TextChoices):
    DOWN = "down", _("Round down")
    HALF_UP = "half_up", _("Round half up")


class RoundingStep(models.TextChoices):
    HALF = "0.5", _("To half a credit")
    WHOLE = "1", _("To a whole credit")


class Grading(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass or fail")
    SCALE = "scale", _("A scale of grades")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the registrar")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


# An application in one of these holds its place: the same offering is not applied for twice
# at one university.
OPEN_APPLICATION = (ApplicationStatus.PENDING, ApplicationStatus.APPROVED)


class RecordKind(models.TextChoices):
    ORIGINAL = "original", _("Original entry")
    CORRECTION = "correction", _("Correction")


class RecordStatus(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    AWAITING_SECOND_APPROVAL = "awaiting_second_approval", _("Awaiting a second registrar")
    REFUSED = "refused", _("Refused by the second registrar")
