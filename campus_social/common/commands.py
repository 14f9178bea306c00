"""What the daily cron commands share: acting as of another day (``--today``), for re-running a
missed day or trying a command out."""

from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone


def add_today_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="Act as if today were this day (default: today in the site's time zone).",
    )


def today_from(options: dict[str, Any]) -> date:
    """The day ``--today`` names, or today in the site's time zone."""
    if not options.get("today"):
        return timezone.localdate()
    try:
        return date.fromisoformat(options["today"])
    except ValueError:
        raise CommandError("--today must be a date such as 2025-04-01.") from None
