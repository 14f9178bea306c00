"""``manage.py circles_sync_cohorts``: give every published offering's cohort its circle.

Circles follow enrolments through domain events sent after each commit.  Should the process
die between a commit and its handler, this command (daily from cron, or by hand) repairs what
was missed; it adds nobody who left a circle or was banned from it, and changes nothing when all
is in step.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from communities import services


class Command(BaseCommand):
    help = (
        "Make sure every published course offering has its learner circle, with everyone "
        "seated in the offering as a member. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        offering_ids = services.cohort_offering_ids()
        show_progress = not options["no_progress"] and self.stdout.isatty()
        added = 0
        for offering_id in tqdm(offering_ids, desc="offerings", unit="", disable=not show_progress):
            added += services.circle_cohort_sync(offering_id=offering_id)
        self.stdout.write(
            self.style.SUCCESS(
                f"Checked {len(offering_ids)} offering(s); added {added} resident(s) to their "
                "circles."
            )
        )
