"""``manage.py courses_record_completions``: record who completed every offering that has ended.

Run daily from cron.  Each offering is recorded in its own transaction by
``services.offering_record_completions`` (which sends ``offering_completed`` after its commit),
so one that fails does not hold back the others, and running the command again records nothing
twice.  Exits non-zero when any offering could not be recorded.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from campus_social.common.errors import ServiceError
from courses import services


class Command(BaseCommand):
    help = (
        "Record completions for every published offering whose last session has ended and "
        "whose completions are not yet recorded (attended at least the offering's percentage "
        "of the sessions held). Safe to run again; meant for a daily cron job."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        due = list(services.completions_record_due())
        if not due:
            self.stdout.write("No ended offering is waiting for its completions.")
            return
        show_progress = not options["no_progress"] and self.stdout.isatty()
        recorded = completed = 0
        failed: list[str] = []
        for offering_id in tqdm(due, desc="offerings", unit="", disable=not show_progress):
            try:
                completions = services.offering_record_completions(offering_id=offering_id)
            except ServiceError as error:  # ended and re-opened, or cancelled, since listed
                failed.append(f"offering {offering_id}: {error.message}")
                continue
            recorded += 1
            completed += len(completions)
        self.stdout.write(
            self.style.SUCCESS(
                f"Recorded completions for {recorded} ended offering(s): "
                f"{completed} resident(s) completed."
            )
        )
        if failed:
            raise CommandError(
                f"{len(failed)} offering(s) could not be recorded:\n" + "\n".join(failed)
            )
