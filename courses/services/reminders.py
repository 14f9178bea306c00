"""Reminders the day before a session, and the private calendar feed."""

import hashlib
import secrets
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from campus_social.identity.models import Resident
from courses.models import CalendarFeed, Offering, Session
from courses.services._common import _notify_cohort


def session_reminders_send(*, today: date | None = None) -> int:
    """Remind everyone enrolled of tomorrow's sessions, once per session.  Returns how many
    sessions were reminded of (run daily by ``manage.py courses_send_reminders``)."""
    tomorrow = (today or timezone.localdate()) + timedelta(days=1)
    due = Session.objects.filter(
        starts_at__date=tomorrow,
        cancelled_at__isnull=True,
        reminded_at__isnull=True,
        offering__status=Offering.Status.PUBLISHED,
    ).select_related("offering", "offering__course")
    count = 0
    for session in due:
        with transaction.atomic():
            if (
                Session.objects.filter(pk=session.pk, reminded_at__isnull=True).update(
                    reminded_at=timezone.now()
                )
                == 0
            ):
                continue  # another run took it
            _notify_cohort(
                session.offering, "reminder", gettext_lazy("Reminder: “%(course)s” meets tomorrow.")
            )
            count += 1
    return count


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_renew(*, resident: Resident) -> str:
    """A new private calendar address for the resident; the old one stops working.  Returns the
    token (shown once)."""
    token = secrets.token_urlsafe(24)
    CalendarFeed.objects.update_or_create(
        resident=resident, defaults={"token_hash": _token_hash(token), "created_at": timezone.now()}
    )
    return token


def calendar_feed_revoke(*, resident: Resident) -> None:
    CalendarFeed.objects.filter(resident=resident).delete()


def calendar_feed_owner(*, token: str) -> Resident | None:
    feed = (
        CalendarFeed.objects.select_related("resident")
        .filter(token_hash=_token_hash(token or ""))
        .first()
    )
    if feed is None or not feed.resident.is_active:
        return None
    return feed.resident
