"""The plain values that describe a course — its category, level and audience.  Other apps may
name them (a circle's topics are course categories; the pages offer them as filters) without
reaching into ``courses.models``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    LANGUAGES = "languages", _("Languages")
    ARTS = "arts", _("Arts and calligraphy")
    MUSIC = "music", _("Music")
    COOKING = "cooking", _("Cooking")
    HEALTH = "health", _("Health and exercise")
    COMPUTING = "computing", _("Computers and phones")
    HISTORY = "history", _("History and local culture")
    NATURE = "nature", _("Nature and gardening")
    CRAFTS = "crafts", _("Crafts")
    OTHER = "other", _("Other")


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class Audience(models.TextChoices):
    ADULTS = "adults", _("Adults")
    SENIORS = "seniors", _("Seniors")
    CHILDREN = "children", _("Children")
    ALL = "all", _("Everyone")


class LecturerStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class OfferingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITLISTED = "waitlisted", _("On the waiting list")
    PENDING = "pending", _("Waiting for the lecturer")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Declined")


# An enrolment in one of these holds (or waits for) a seat.
ACTIVE_ENROLMENT = ("enrolled", "waitlisted", "pending")
