"""Rooms, their members and messages.  ``messaging`` knows rooms and residents, not circles or
programs: the app that owns a room's subject names it by ``subject_key`` and keeps a reference
to it (``Circle.room``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.values import BODY_MAX_LENGTH


class Room(models.Model):
    class Kind(models.TextChoices):
        CIRCLE = "circle", _("Circle")
        # An offering's own room, from before an offering's cohort and its circle shared one:
        # migration communities.0003 merged them, and the few left without a circle are adopted
        # by the circle ``circles_sync_cohorts`` makes.  No new room is of this kind.
        OFFERING = "offering", _("Course")
        PROGRAM = "program", _("Program")
        DIRECT = "direct", _("Direct messages")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Set by the owning app ("circle:12"); direct rooms use "direct:<id>:<id>".
    subject_key = models.CharField(max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    # The seq of the newest message: the next message takes last_seq + 1 under a row lock.
    last_seq = models.PositiveBigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self) -> str:
        return self.title or self.subject_key


class RoomMember(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MODERATOR = "moderator", _("Moderator")
        # A guardian who may read the rooms their child is in, but not write in them.
        READER = "reader", _("Guardian (reads only)")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="members")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    last_read_seq = models.PositiveBigIntegerField(default=0)
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("room member")
        verbose_name_plural = _("room members")
        constraints = [
            models.UniqueConstraint(fields=["room", "resident"], name="one_membership_per_room")
        ]

    def __str__(self) -> str:
        return f"#{self.resident_id} in {self.room_id} ({self.role})"

    @property
    def can_write(self) -> bool:
        return self.role != self.Role.READER

    @property
    def is_moderator(self) -> bool:
        return self.role == self.Role.MODERATOR


class Message(models.Model):
    class Removal(models.TextChoices):
        AUTHOR = "author", _("Removed by its author")
        MODERATOR = "moderator", _("Removed by a moderator")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_id = models.UUIDField(null=True, blank=True)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    reply_to = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(max_length=16, choices=Removal.choices, blank=True)
    # A moderator's hide can be undone; a removal cannot.
    removal_final = models.BooleanField(default=False)

    class Meta:
        ordering = ["room", "seq"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="one_message_per_seq"),
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=Q(client_id__isnull=False),
                name="one_message_per_client_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class MessageEdit(models.Model):
    """The text a message had before an edit (moderators can read the history)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="edits")
    body = models.TextField()
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["edited_at", "id"]

    def __str__(self) -> str:
        return f"edit of {self.message_id} at {self.edited_at:%Y-%m-%d %H:%M}"


class MessageReport(models.Model):
    class Resolution(models.TextChoices):
        HIDDEN = "hidden", _("Hidden")
        REMOVED = "removed", _("Removed")
        DISMISSED = "dismissed", _("Dismissed")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="one_report_per_reporter")
        ]

    def __str__(self) -> str:
        return f"report of {self.message_id} by {self.reporter_id}"


class ModerationAction(models.Model):
    """The record of every moderation act in a room."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hid a message")
        RESTORE = "restore", _("Restored a message")
        REMOVE = "remove", _("Removed a message")
        DISMISS = "dismiss", _("Dismissed reports")
        MUTE = "mute", _("Muted a member")
        UNMUTE = "unmute", _("Unmuted a member")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="moderation_actions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} in {self.room_id} by {self.moderator_id}"
