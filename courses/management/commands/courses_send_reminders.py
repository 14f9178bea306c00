"""``manage.py courses_send_reminders``: remind those enrolled of tomorrow's sessions.

Run once a day from cron (in the morning, say).  ``services.session_reminders_send`` marks each
session as reminded, so a second run on the same day, or two overlapping runs, remind nobody
twice.
"""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from campus_social.common.commands import add_today_argument, today_from
from courses import services


class Command(BaseCommand):
    help = (
        "Notify everyone enrolled of the sessions that meet tomorrow (skipping cancelled "
        "sessions and sessions already reminded of). Safe to run again; meant for a daily "
        "cron job."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_today_argument(parser)
        # Accepted so that every courses command takes the same options in cron: the
        # reminders go out in one service call, so there is nothing to show progress of.
        parser.add_argument(
            "--no-progress", action="store_true", help="Accepted for symmetry; has no effect."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = today_from(options)
        sent = services.session_reminders_send(today=today)
        tomorrow = today + timedelta(days=1)
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent reminders for {sent} session(s) meeting on {tomorrow.isoformat()}."
            )
        )
