"""What every search backend does.  The rest of the code talks to ``campus_social.search.services``
only, which talks to one of these; the contract tests (``tests/campus_social/search/
test_contract.py``) run the same cases against each available backend."""

from collections.abc import Callable, Iterable
from typing import Protocol

from django.utils.translation import gettext as _

from campus_social.common.errors import ServiceError
from campus_social.search.documents import SearchDocument, SearchQuery, SearchResults


class SearchUnavailable(ServiceError):
    """The search engine cannot be reached: search answers 503 with this message, and nothing
    else in the site depends on it (index updates that fail are logged and caught up by the next
    ``search_reindex``)."""

    status = 503
    code = "search_unavailable"

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or _("Search is not available at the moment. Please try again later.")
        )


class SearchBackend(Protocol):
    def index(self, documents: Iterable[SearchDocument]) -> None:
        """Add the documents, or replace those with the same ``key``."""

    def remove(self, kind: str, object_ids: Iterable[int]) -> None:
        """Take these objects out (ids not in the index are ignored)."""

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        on_progress: Callable[[int], None] = lambda done: None,
    ) -> int:
        """Replace the whole index with ``documents`` and answer how many were indexed.
        Searches keep answering from the old index until the new one is complete (the
        database swaps in one transaction, Elasticsearch by moving an alias); a rebuild that
        fails leaves the old index in place.  ``on_progress`` is told how many are done."""

    def search(self, query: SearchQuery) -> SearchResults:
        """One page of the documents matching every term of ``query.text`` that the viewer may
        find and that have every chosen facet value, best first (title matches before the rest,
        then ``rank_date`` soonest first), with capped counts, facet counts, highlights, and
        suggestions when nothing matched.  An empty query lists everything the viewer may find."""

    def suggest(
        self, text: str, *, access: frozenset[str], kinds: tuple[str, ...] = (), limit: int = 8
    ) -> list[str]:
        """Titles that start with, or whose reading or romaji starts with, what was typed so far
        — for typeahead."""
