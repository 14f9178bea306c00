"""Learner circles: their members, discussions, events and shared resources.

A circle may be born from a course offering (``Circle.offering``); it outlives the offering.
Its chat is a ``messaging`` room (``Circle.room``) whose membership the services keep in step
with ``CircleMember``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.values import (
    CircleMemberRole,
    CircleMemberStatus,
    CircleVisibility,
    ResourceKind,
    RsvpAnswer,
    Topic,
)


class Circle(models.Model):
    Visibility = CircleVisibility

    name = models.CharField(_("name"), max_length=120)
    name_kana = models.CharField(_("reading (kana)"), max_length=240)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    district = models.ForeignKey(
        "identity.District",
        verbose_name=pgettext_lazy("circle", "home district"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    picture = models.ImageField(_("picture"), upload_to="circles/pictures/", blank=True)
    visibility = models.CharField(
        _("who may join"), max_length=16, choices=Visibility.choices, default=Visibility.OPEN
    )
    # Children join only circles marked for them (through a guardian); marking needs an
    # organiser with a current vetting record.
    for_children = models.BooleanField(_("open to children (with a guardian)"), default=False)
    # The offering whose cohort this circle was born from; the circle stays when it ends.
    offering = models.OneToOneField(
        "courses.Offering", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    room = models.OneToOneField(
        "messaging.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The newest discussion post (thread or reply); chat lives on ``room.last_message_at``.
    last_posted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["name_kana", "id"]
        verbose_name = _("circle")
        verbose_name_plural = _("circles")

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class CircleTopic(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="topics")
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)

    class Meta:
        ordering = ["topic"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "topic"], name="one_topic_entry_each")
        ]
        indexes = [models.Index(fields=["topic", "circle"])]

    def __str__(self) -> str:
        return f"{self.circle_id}: {self.topic}"


class CircleMember(models.Model):
    """A resident's standing in a circle: a member (with a role), on the way in (requested,
    invited), gone (left or removed: kept so that a cohort repair does not add them back), or
    shut out (banned).  A declined request or invitation deletes the row."""

    Role = CircleMemberRole

    Status = CircleMemberStatus

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # True when the membership came from enrolling in the circle's offering: cancelling that
    # enrolment before the course ends takes it away again.  Completing keeps it.
    via_offering = models.BooleanField(default=False)
    # The guardian who joined a child, or the member who invited.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("circle member")
        verbose_name_plural = _("circle members")
        constraints = [
            models.UniqueConstraint(fields=["circle", "resident"], name="one_standing_per_circle"),
            models.UniqueConstraint(
                fields=["circle"],
                condition=Q(role="organiser", status="active"),
                name="one_organiser_per_circle",
            ),
        ]
        indexes = [models.Index(fields=["resident", "status"])]

    def __str__(self) -> str:
        return f"{self.resident_id} in {self.circle_id}: {self.status}/{self.role}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def name_for_managers(self) -> str:
        """How an invitation or ban shows to the circle's managers.  Invitations and bans go by
        resident number, so typing numbers must not reveal who they belong to: the name shows
        only for someone who asked to join or who was once a member."""
        if self.status == self.Status.REQUESTED or self.joined_at is not None:
            return self.resident.display_name
        return _("Resident no. %(number)d") % {"number": self.resident_id}

    @property
    def manages(self) -> bool:
        """Organisers and moderators approve requests, invite, remove and moderate posts."""
        return self.is_active and self.role in (self.Role.ORGANISER, self.Role.MODERATOR)


class Thread(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=10000)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # The newest reply (or the thread itself): threads are listed by it.
    last_post_at = models.DateTimeField(default=timezone.now, db_index=True)
    reply_count = models.PositiveIntegerField(default=0)
    # A moderator removed it; the row stays so replies keep their place.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_post_at", "-id"]
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")

    def __str__(self) -> str:
        return self.title


class Reply(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("text"), max_length=10000)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"reply {self.pk} to {self.thread_id}"


class CircleEvent(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("circle event")
        verbose_name_plural = _("circle events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="circle_event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Rsvp(models.Model):
    Answer = RsvpAnswer

    event = models.ForeignKey(CircleEvent, on_delete=models.CASCADE, related_name="rsvps")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "resident"], name="one_rsvp_each")]

    def __str__(self) -> str:
        return f"{self.resident_id} → {self.event_id}: {self.answer}"


class Resource(models.Model):
    Kind = ResourceKind

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address (URL)"), max_length=500, blank=True)
    # Stored under a random name; served only to members, through a view that checks.
    file = models.FileField(upload_to="circles/resources/", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    # The extension the document had (".pdf"), for the name it is downloaded under.
    extension = models.CharField(max_length=8, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shared resource")
        verbose_name_plural = _("shared resources")

    def __str__(self) -> str:
        return self.title
