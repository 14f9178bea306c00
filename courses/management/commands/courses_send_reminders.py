"""``manage.py courses_send_reminders``: remind those enrolled of tomorrow's sessions.

Run once a day from cron (in the morning, say).  ``services.session_reminders_send`` marks each
session as reminded, so a second run on the same day, or two overlapping runs, remind nobody
twice.
"""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from courses import services


class Command(BaseCommand):
    help = (
        "Notify everyone enrolled of the sessions that meet tomorrow (skipping cancelled "
        "sessions and sessions already reminded of). Safe to run again; meant for a daily "
        "cron job."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="Act as if today were this day (default: today in the site's time zone).",
        )
        # Accepted so that every courses command takes the same options in cron: the
        # reminders go out in one service call, so there is nothing to show progress of.
        parser.add_argument(
            "--no-progress", action="store_true", help="Accepted for symmetry; has no effect."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today must be a date such as 2025-04-01.") from None
        sent = services.session_reminders_send(today=today)
        tomorrow = today + timedelta(days=1)
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent reminders for {sent} session(s) meeting on {tomorrow.isoformat()}."
            )
        )
