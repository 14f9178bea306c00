"""A small iCalendar (RFC 5545) writer for the calendar feeds residents subscribe to.

Deliberately dependency-free: the feeds need one shape of VEVENT, and writing it by hand keeps
the three rules that calendar clients are strict about in plain sight: text values are escaped
(3.3.11), content lines are folded at 75 octets of UTF-8 without splitting a character (3.1),
and every line ends with CRLF.  All times are written in UTC, so no VTIMEZONE is needed.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PRODID = "-//Campus Social//Town campus//JA"
UID_DOMAIN = "campus-social"

_LINE_OCTETS = 75  # not counting the CRLF
_CRLF = "\r\n"
_NEWLINES = re.compile(r"\r\n|\r|\n")
# RFC 5545 allows no control characters in TEXT but HTAB; newlines are escaped before this.
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class CalendarEvent:
    """One event of a feed.  ``uid`` must stay the same for the event's whole life."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False

    def __post_init__(self) -> None:
        for moment in (self.starts_at, self.ends_at):
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError("CalendarEvent needs timezone-aware datetimes.")
        if self.ends_at <= self.starts_at:
            raise ValueError("CalendarEvent must end after it starts.")


def calendar(events: Iterable[CalendarEvent], *, name: str, now: datetime | None = None) -> str:
    """The ``text/calendar`` body of a feed called ``name`` holding ``events``.

    ``now`` is the DTSTAMP of every event (when the feed was generated); it defaults to the
    current time and must be timezone-aware when given.
    """
    stamp = _utc(now if now is not None else datetime.now(UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(name)}",
    ]
    for event in events:
        lines += _vevent(event, stamp=stamp)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + _CRLF for line in lines)


def _vevent(event: CalendarEvent, *, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{_text(event.uid)}@{UID_DOMAIN}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_utc(event.starts_at)}",
        f"DTEND:{_utc(event.ends_at)}",
        f"SUMMARY:{_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{_text(event.description)}")
    if event.url:
        # A URI value, not TEXT: it is not backslash-escaped, but it must stay on one line.
        lines.append(f"URL:{_CONTROLS.sub('', _NEWLINES.sub('', event.url))}")
    lines.append("STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED")
    lines.append("END:VEVENT")
    return lines


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("iCalendar times must be timezone-aware datetimes.")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """``value`` escaped as an RFC 5545 TEXT value (3.3.11)."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    escaped = _NEWLINES.sub("\\\\n", escaped)
    return _CONTROLS.sub("", escaped)


def _fold(line: str) -> str:
    """``line`` folded so that no physical line passes 75 octets of UTF-8 (3.1).

    Breaks fall between characters, never inside one; each continuation line starts with a
    single space, which counts towards its 75 octets.
    """
    if len(line.encode()) <= _LINE_OCTETS:
        return line
    physical: list[str] = []
    current: list[str] = []
    used = 0
    for character in line:
        size = len(character.encode())
        if used + size > _LINE_OCTETS:
            physical.append("".join(current))
            current, used = [" "], 1
        current.append(character)
        used += size
    physical.append("".join(current))
    return _CRLF.join(physical)
