"""``manage.py safeguarding_vetting_expiry``: tell each adult whose vetting ran out, once.

Run once a day from cron.  The rule needs no job — an expired record stops counting the day
after its ``expires_on`` — but the adult should hear why they can no longer write, so this
sends the notice.  Each record is marked when its notice goes out, so a second run (or two
overlapping runs) tells nobody twice.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from campus_social.common.commands import add_today_argument, today_from
from campus_social.safeguarding import services


class Command(BaseCommand):
    help = (
        "Notify each adult whose vetting check for working with children ran out (once each). "
        "Safe to run again; meant for a daily cron job."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_today_argument(parser)
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = today_from(options)
        due = services.vetting_expiries_due(today=today)
        show_progress = not options["no_progress"] and self.stdout.isatty()
        told = 0
        for resident_id in tqdm(due, desc="residents", unit="", disable=not show_progress):
            told += services.vetting_expiry_notify(resident_id=resident_id, today=today)
        self.stdout.write(
            self.style.SUCCESS(f"Told {told} resident(s) that their vetting ran out.")
        )
