"""Writes to notifications: telling a resident something, marking notifications read, and a
resident's choices of how to be told.  Any app may call ``notification_send``.

Titles are stored in the language of the resident they are for, so render them inside
``translation.override(resident.language)`` — or let ``notification_send_translated`` do it.
"""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from campus_social.common.errors import Invalid
from campus_social.common.realtime import resident_send_on_commit
from campus_social.identity.models import Resident
from campus_social.notifications.kinds import KINDS, KindInfo
from campus_social.notifications.models import (
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
    Notification,
    NotificationPreference,
)
from campus_social.notifications.selectors import (
    PreferenceSetting,
    notification_get,
    notification_preference_get,
    notification_preferences_of,
)

logger = logging.getLogger(__name__)

# --- Sending --------------------------------------------------------------------------------


def notification_send(
    *, resident: Resident, kind: str, title: str, url: str = "", email_body: str = ""
) -> Notification | None:
    """Tell ``resident`` about something, as they chose for ``kind``.

    ``title`` (one line; longer ones are shortened) and ``email_body`` must already be in the
    resident's language.  ``url`` is a path on this site (``"/me/"``), or empty.  An unregistered
    ``kind`` or a ``url`` that is not a site path raises ``ValueError``: a programming error.

    With in-app notifications of this kind on, stores the notification and, after commit, pushes
    it to the resident's open sockets (``notification.created``); otherwise returns ``None``.
    With email on and an address on record, emails the title (and ``email_body``) after commit,
    whether or not in-app is on.  A deactivated resident is told nothing.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: register it with register_kind()")
    _check_site_path(url)
    title = _one_line(title, TITLE_MAX_LENGTH)
    if not resident.is_active:
        return None
    setting = notification_preference_get(resident=resident, kind=kind)
    notification = None
    with transaction.atomic():
        if setting.in_app:
            notification = Notification.objects.create(
                resident=resident, kind=kind, title=title, url=url
            )
            resident_send_on_commit(
                resident.pk, {"type": "notification.created", "frame": _frame(notification)}
            )
        if setting.email and resident.email:
            message = _email(resident, title, email_body)
            # robust: a mail server that is down must not fail the caller, who has committed.
            transaction.on_commit(message.send, robust=True)
    return notification


def notification_send_translated(
    *,
    resident: Resident,
    kind: str,
    title_template: str | Promise,
    params: Mapping[str, Any] | None = None,
    url: str = "",
    email_body_template: str | Promise = "",
) -> Notification | None:
    """``notification_send`` with the title (and email body) rendered in the resident's language:
    ``title_template`` is a lazy string with ``%(name)s`` placeholders filled from ``params``."""
    with translation.override(resident.language):
        title = _render(title_template, params)
        email_body = _render(email_body_template, params) if email_body_template else ""
    return notification_send(
        resident=resident, kind=kind, title=title, url=url, email_body=email_body
    )


def notification_send_many(
    *,
    recipients: Iterable[Resident],
    kind: str,
    title_template: str | Promise,
    params: Mapping[str, Any] | None = None,
    url: str = "",
    email_body_template: str | Promise = "",
) -> list[Notification]:
    """``notification_send_translated`` for a whole cohort, circle or room in a fixed number of
    queries: one read of the recipients' preferences for ``kind`` and one bulk insert, however
    many are told.  The rules are those of the single send: each title is rendered in that
    resident's language, the deactivated are skipped, the same person listed twice is told once;
    broadcasts and emails go after commit.  Returns the stored notifications."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: register it with register_kind()")
    _check_site_path(url)
    people = list({person.pk: person for person in recipients if person.is_active}.values())
    if not people:
        return []
    settings = notification_preferences_of(residents=people, kind=kind)
    rendered: dict[str, tuple[str, str]] = {}  # one rendering per language, not per resident
    stored: list[Notification] = []
    emails: list[EmailMessage] = []
    for person in people:
        if person.language not in rendered:
            with translation.override(person.language):
                rendered[person.language] = (
                    _one_line(_render(title_template, params), TITLE_MAX_LENGTH),
                    _render(email_body_template, params) if email_body_template else "",
                )
        title, email_body = rendered[person.language]
        setting = settings[person.pk]
        if setting.in_app:
            stored.append(Notification(resident=person, kind=kind, title=title, url=url))
        if setting.email and person.email:
            emails.append(_email(person, title, email_body))
    # One statement (Django wraps several batches in a transaction itself).
    Notification.objects.bulk_create(stored)
    for notification in stored:
        resident_send_on_commit(
            notification.resident_id,
            {"type": "notification.created", "frame": _frame(notification)},
        )
    for message in emails:
        # robust: a mail server that is down must not fail the caller, who has committed.
        transaction.on_commit(message.send, robust=True)
    return stored


def _render(template: str | Promise, params: Mapping[str, Any] | None) -> str:
    text = str(template)
    return text % params if params else text


def _check_site_path(url: str) -> None:
    if not url:
        return
    if (
        len(url) > URL_MAX_LENGTH
        or not url.startswith("/")
        or url.startswith("//")
        or "\\" in url
        or any(character.isspace() or ord(character) < 32 for character in url)
    ):
        raise ValueError(f"notification url {url[:80]!r} is not a path on this site")


def _one_line(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _frame(notification: Notification) -> dict[str, Any]:
    """The protocol's ``notification`` frame (``docs/protocol.md``); the consumer forwards it as is."""
    return {
        "type": "notification",
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "url": notification.url,
        "created_at": utc_iso(notification.created_at),
    }


def _email(resident: Resident, title: str, body: str) -> EmailMessage:
    with translation.override(resident.language):
        footer = _(
            "You receive this email because you chose to be told of this by email. You can "
            "change that on the notification settings page of Campus Social."
        )
    text = f"{body.strip() or title}\n\n-- \n{footer}\n"
    return EmailMessage(subject=title, body=text, to=[resident.email])


# --- Reading --------------------------------------------------------------------------------


def notification_mark_read(*, resident: Resident, notification_id: int) -> Notification:
    """Mark one of the resident's notifications read (again is harmless).  Another resident's
    is ``NotFound``."""
    notification = notification_get(resident=resident, notification_id=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, resident: Resident) -> int:
    """Mark every unread notification of the resident read; returns how many there were."""
    return Notification.objects.filter(resident=resident, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Preferences ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PreferenceChoice:
    kind: str
    in_app: bool
    email: bool


def notification_preferences_set(
    *, resident: Resident, kind: str, in_app: bool, email: bool
) -> PreferenceSetting:
    """Choose how the resident is told of ``kind``.  An unknown kind is ``Invalid``."""
    info = _registered_kind(kind)
    NotificationPreference.objects.update_or_create(
        resident=resident, kind=kind, defaults={"in_app": bool(in_app), "email": bool(email)}
    )
    return PreferenceSetting(kind, info.label, in_app=bool(in_app), email=bool(email))


def notification_preferences_update(
    *, resident: Resident, choices: Iterable[PreferenceChoice]
) -> list[PreferenceSetting]:
    """Several choices at once (the settings page): all are kept, or, if one kind is unknown,
    none."""
    with transaction.atomic():
        return [
            notification_preferences_set(
                resident=resident, kind=choice.kind, in_app=choice.in_app, email=choice.email
            )
            for choice in choices
        ]


def _registered_kind(kind: str) -> KindInfo:
    info = KINDS.get(kind)
    if info is None:
        message = _("There is no such kind of notification.")
        raise Invalid(message, code="unknown_kind", fields={"kind": [message]})
    return info
