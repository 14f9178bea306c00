"""The plain values of communities — a circle's visibility, a member's role and standing, an
answer to an invitation, a resource's kind — that the pages may name without reaching into
``communities.models``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
