"""``manage.py communities_program_retention``: delete or anonymise children's program data a
set time after each program ends.

Run once a day from cron.  A program is due when it ended, was cancelled or its term is over
more than ``PROGRAM_CHILD_DATA_RETENTION_DAYS`` days ago (365 by default) and its children's
data was not purged yet; what goes and what stays is in ``communities/README.md``
("Retention").  Each program is purged in a transaction of its own and marked, so a second run
purges nothing, and one program that fails is reported without losing the others (the command
then exits with an error, for cron to mail).  ``--dry-run`` prints what would go and changes
nothing.
"""

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from campus_social.common.commands import add_today_argument, today_from
from communities import services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Delete or anonymise the children's data (reflections, attendance, photos, places, "
        "consents, chat messages) of programs that ended more than "
        "PROGRAM_CHILD_DATA_RETENTION_DAYS days ago. Safe to run again; meant for a daily "
        "cron job."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_today_argument(parser)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be deleted for each program due, and change nothing.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = today_from(options)
        due = services.programs_due_for_purge(today=today)
        if options["dry_run"]:
            for program_id in due:
                preview = services.program_child_data_preview(program_id=program_id)
                self.stdout.write(f"program {program_id}: would delete {_describe(preview)}")
            self.stdout.write(
                self.style.SUCCESS(f"Dry run: {len(due)} program(s) due; nothing was changed.")
            )
            return
        show_progress = not options["no_progress"] and self.stdout.isatty()
        purged = 0
        failed: list[int] = []
        for program_id in tqdm(due, desc="programs", unit="", disable=not show_progress):
            try:
                counts = services.program_child_data_purge(program_id=program_id)
            except Exception:
                # One program's failure (rolled back) must not stop the others.
                logger.exception("Purging the children's data of program %s failed", program_id)
                self.stderr.write(f"program {program_id}: failed; nothing of it was changed.")
                failed.append(program_id)
                continue
            if counts is not None:
                purged += 1
                self.stdout.write(f"program {program_id}: deleted {_describe(counts)}")
        self.stdout.write(self.style.SUCCESS(f"Purged the children's data of {purged} program(s)."))
        if failed:
            raise CommandError(
                f"{len(failed)} program(s) failed: {', '.join(map(str, failed))}. "
                "Run the command again once the cause is fixed."
            )


def _describe(counts: services.ChildDataCounts) -> str:
    return (
        f"{counts.children} child(ren)'s places, {counts.consents} consent(s), "
        f"{counts.reflections} reflection(s), {counts.attendance} attendance record(s), "
        f"{counts.photos} photo(s), {counts.messages} message(s)"
    )
