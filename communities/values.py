"""The plain values of communities — a circle's visibility, a member's role and standing, an
answer to an invitation, a resource's kind — that the pages may name without reaching into
``communities.models``."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.values import Category

# Circle topics are the course categories: a circle born from a course starts with its
# category, and residents filter circles and courses by the same words.
Topic = Category


class CircleVisibility(models.TextChoices):
    OPEN = "open", _("Open: anyone may join")
    MODERATED = "moderated", _("Moderated: organisers approve each request")
    INVITE_ONLY = "invite_only", _("Invite only: hidden from outsiders")


class CircleMemberRole(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    MODERATOR = "moderator", _("Moderator")
    MEMBER = "member", _("Member")


class CircleMemberStatus(models.TextChoices):
    ACTIVE = "active", _("Member")
    REQUESTED = "requested", _("Asked to join")
    INVITED = "invited", _("Invited")
    BANNED = "banned", _("Banned")
    LEFT = "left", _("Left")


class RsvpAnswer(models.TextChoices):
    YES = "yes", _("I will come")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("I cannot come")


class ResourceKind(models.TextChoices):
    LINK = "link", _("Link")
    DOCUMENT = "document", _("Document")
    PICTURE = "picture", _("Picture")


# --- Intergenerational programs -----------------------------------------------------------------

GRADE_LOWEST = 1
GRADE_HIGHEST = 12  # school years 1–12 (小1 to 高3)


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


# The statuses a program moves to (``POST …/status/``): a program starts as a draft.
PROGRAM_MOVES = [
    (value, label) for value, label in ProgramStatus.choices if value != ProgramStatus.DRAFT
]


class Weekday(models.TextChoices):
    MON = "mon", _("Monday")
    TUE = "tue", _("Tuesday")
    WED = "wed", _("Wednesday")
    THU = "thu", _("Thursday")
    FRI = "fri", _("Friday")
    SAT = "sat", _("Saturday")
    SUN = "sun", _("Sunday")


class DayPart(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")


# When a volunteer can come: a weekday and a part of the day, as ``"tue-afternoon"``.
AVAILABILITY_SLOTS = [f"{day}-{part}" for day in Weekday.values for part in DayPart.values]


class VolunteerStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    # "Taking part" alone is the course page's heading (受講について): a context of its own.
    ACCEPTED = "accepted", pgettext_lazy("program", "Taking part")
    DECLINED = "declined", _("Declined")
    # Taken off the program's future sessions (a vetting record ran out, or the coordinator).
    REMOVED = "removed", _("No longer taking part")
