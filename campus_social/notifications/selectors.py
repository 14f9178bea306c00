"""Reads of notifications, always of the acting resident's own."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from campus_social.common.errors import NotFound
from campus_social.identity.models import Resident
from campus_social.notifications.kinds import KINDS, KindInfo
from campus_social.notifications.models import Notification, NotificationPreference


@dataclass(frozen=True)
class PreferenceSetting:
    """How a resident is told of one kind: their choice, or the kind's defaults."""

    kind: str
    label: str | Promise
    in_app: bool
    email: bool


def notification_list(*, resident: Resident, unread_only: bool = False) -> QuerySet[Notification]:
    """The resident's notifications, newest first."""
    notifications = Notification.objects.filter(resident=resident)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def notification_unread_count(*, resident: Resident) -> int:
    return Notification.objects.filter(resident=resident, read_at__isnull=True).count()


def notification_get(*, resident: Resident, notification_id: int) -> Notification:
    """One of the resident's notifications; another resident's is ``NotFound``, as if absent."""
    notification = Notification.objects.filter(resident=resident, pk=notification_id).first()
    if notification is None:
        raise NotFound(_("There is no such notification."))
    return notification


def _setting(
    kind: str, info: KindInfo, preference: NotificationPreference | None
) -> PreferenceSetting:
    if preference is None:
        return PreferenceSetting(kind, info.label, in_app=True, email=info.email_default)
    return PreferenceSetting(kind, info.label, in_app=preference.in_app, email=preference.email)


def notification_preferences(*, resident: Resident) -> list[PreferenceSetting]:
    """Every registered kind, in the order registered, with the resident's effective setting."""
    chosen = {
        preference.kind: preference
        for preference in NotificationPreference.objects.filter(resident=resident)
    }
    return [_setting(kind, info, chosen.get(kind)) for kind, info in KINDS.items()]


def notification_preference_get(*, resident: Resident, kind: str) -> PreferenceSetting:
    """The resident's effective setting for one registered kind (``KeyError`` if unknown)."""
    info = KINDS[kind]
    preference = NotificationPreference.objects.filter(resident=resident, kind=kind).first()
    return _setting(kind, info, preference)


def notification_preferences_of(
    *, residents: Iterable[Resident], kind: str
) -> dict[int, PreferenceSetting]:
    """Each resident's effective setting for one registered kind, by resident id, in one query
    however many residents (``KeyError`` if the kind is unknown)."""
    info = KINDS[kind]
    ids = [resident.pk for resident in residents]
    chosen = {
        preference.resident_id: preference
        for preference in NotificationPreference.objects.filter(resident__in=ids, kind=kind)
    }
    return {pk: _setting(kind, info, chosen.get(pk)) for pk in ids}
