from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campus_social.notifications.kinds import KIND_MAX_LENGTH

TITLE_MAX_LENGTH = 300
URL_MAX_LENGTH = 500


class Notification(models.Model):
    """One thing a resident is told about, in their list until they read it.

    ``title`` is stored already rendered in the resident's language at the time it was sent;
    ``url`` is a path on this site.  ``kind`` is a code from the registry in ``kinds.py``.
    """

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=KIND_MAX_LENGTH)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    url = models.CharField(_("link"), max_length=URL_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # "My notifications, newest first" and, smaller, "my unread ones, newest first"
            # (also what the unread count in the menu reads on every page).
            models.Index(
                fields=["resident", "-created_at", "-id"], name="notification_resident_new"
            ),
            models.Index(
                fields=["resident", "-created_at", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_new",
            ),
        ]

    def __str__(self) -> str:
        return f"notification #{self.pk} ({self.kind}) for #{self.resident_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A resident's choice for one kind.  Without a row the kind's defaults hold: in the app
    on, email as the kind was registered."""

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=KIND_MAX_LENGTH)
    in_app = models.BooleanField(_("in Campus Social"), default=True)
    email = models.BooleanField(_("by email"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "kind"], name="one_notification_preference_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.resident_id} {self.kind}"
