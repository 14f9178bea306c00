"""``manage.py search_reindex``: rebuild the whole search index from the database.

The database is the truth; the index follows it after every commit (``index_later``).  This
command catches the index up with what those updates cannot see: offerings that ended with
no one touching them, an update lost while the search engine was down, a change made in the
admin, a new kind of document.  Run it after loading data (``make run`` does, after the
demo seeds) and daily from cron.  Searches keep answering from the old index until the new one
is complete, so it is safe to run at any time, and again.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from campus_social.search import services
from campus_social.search.backends import SearchUnavailable


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database: every offering, lecturer, circle and "
        "program that can be found. Searches keep working meanwhile. Safe to run again; "
        "meant for after loading data and for a daily cron job."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        show_progress = not options["no_progress"] and self.stdout.isatty()
        total = services.document_count()
        with tqdm(total=total, desc="documents", unit="", disable=not show_progress) as progress:

            def on_progress(done: int) -> None:
                progress.update(done - progress.n)

            try:
                indexed = services.rebuild(on_progress=on_progress)
            except SearchUnavailable as error:
                raise CommandError(
                    f"The search index was not rebuilt: {error.message} "
                    "(the old index, if any, is still in place)."
                ) from error
        self.stdout.write(self.style.SUCCESS(f"Indexed {indexed} document(s) for search."))
