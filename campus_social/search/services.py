"""Search, for the rest of the code: ask (``search``, ``suggest``), keep the index in step with the
database after commit (``index_later``) and rebuild it (``rebuild``).  Which backend answers is
decided here (``backends.backend()``) and nowhere else; the database stays the source of truth."""

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, Model, QuerySet, Value, When
from django.utils.translation import gettext as _

from campus_social.common.errors import Invalid, RateLimited
from campus_social.common.ratelimit import rate_limit_hit
from campus_social.search import registry
from campus_social.search.backends import SearchUnavailable, backend
from campus_social.search.documents import (
    COUNT_CAP,
    FACETS,
    PUBLIC,
    SearchDocument,
    SearchQuery,
    SearchResults,
)
from campus_social.search.normalize import reading_of

if TYPE_CHECKING:
    from campus_social.identity.models import Resident

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)

PAGE_SIZE_MAX = 50


def access_keys(viewer: "Resident | None") -> frozenset[str]:
    """Everything the viewer may find: public documents and what each kind's source allows."""
    keys = {PUBLIC}
    for source in registry.sources().values():
        keys |= source.access_keys(viewer)
    return frozenset(keys)


def search(
    *,
    text: str,
    viewer: "Resident | None",
    kinds: Sequence[str] = (),
    filters: Mapping[str, str] | None = None,
    page: int = 1,
    page_size: int = 20,
    client: str | None = None,
) -> SearchResults:
    """One page of what the viewer may find for ``text``.  Raises ``Invalid`` for an unknown kind
    or facet, ``SearchUnavailable`` (503) when the search engine cannot be reached, and
    ``RateLimited`` when ``client`` (who asks: a resident or an address, from the page and the
    API) has asked more than ``SEARCH_RATE`` allows."""
    _count_asking(client)
    known = registry.sources()
    unknown = [kind for kind in kinds if kind not in known]
    if unknown:
        raise Invalid(
            _("There is nothing to search called “%(kind)s”.") % {"kind": unknown[0]},
            code="invalid",
            fields={"type": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(known)}]},
        )
    chosen = {name: value for name, value in (filters or {}).items() if value}
    for name in chosen:
        if name not in FACETS:
            raise Invalid(_("There is no filter called “%(name)s”.") % {"name": name})
    return backend().search(
        SearchQuery(
            text=text,
            access=access_keys(viewer),
            kinds=tuple(kinds),
            filters=chosen,
            page=max(1, page),
            page_size=min(max(1, page_size), PAGE_SIZE_MAX),
        )
    )


def ranked_ids(
    *, text: str, viewer: "Resident | None", kind: str, limit: int = COUNT_CAP
) -> list[int]:
    """The ids of the ``kind`` objects the viewer may find for ``text``, best first, at most
    ``limit`` — for a page of an app (the course catalogue, the circle directory) that filters
    and pages those rows itself, in this order.  Raises ``SearchUnavailable`` like ``search``."""
    ids: list[int] = []
    page = 1
    while len(ids) < limit:
        results = search(
            text=text, viewer=viewer, kinds=(kind,), page=page, page_size=PAGE_SIZE_MAX
        )
        ids.extend(hit.object_id for hit in results.hits)
        if len(results.hits) < PAGE_SIZE_MAX or page * PAGE_SIZE_MAX >= results.total:
            break
        page += 1
    return list(dict.fromkeys(ids))[:limit]


def in_ranked_order(queryset: QuerySet[M], ids: Sequence[int]) -> QuerySet[M]:
    """The rows of ``queryset`` whose ids ``ranked_ids`` answered, in that order."""
    if not ids:
        return queryset.none()
    rank = Case(
        *(When(pk=pk, then=Value(position)) for position, pk in enumerate(ids)),
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=ids).order_by(rank, "pk")


def suggest(
    *,
    text: str,
    viewer: "Resident | None",
    kinds: Sequence[str] = (),
    limit: int = 8,
    client: str | None = None,
) -> list[str]:
    """Typeahead: titles the viewer may find that start with what was typed so far.  Held to
    ``SEARCH_RATE`` like ``search``."""
    if not text.strip():
        return []
    _count_asking(client)
    return backend().suggest(text, access=access_keys(viewer), kinds=tuple(kinds), limit=limit)


def _count_asking(client: str | None) -> None:
    """One search or typeahead more for ``client``: search is public, and each one costs the
    database or the cluster real work, so one caller cannot take it all."""
    if client is None:
        return
    wait = rate_limit_hit(scope="search", ident=client, rate=settings.SEARCH_RATE)
    if wait is not None:
        raise RateLimited(
            _("Too many searches from here. Please wait a moment and try again."),
            retry_after=wait,
        )


def reading_proposed(text: str) -> str:
    """A kana reading for ``text`` (a title or a name), for a form whose reading was left empty."""
    return reading_of(text)


# --- Keeping the index in step ---------------------------------------------------------------------


def index_later(kind: str, object_ids: Iterable[int]) -> None:
    """After the current transaction commits, describe these objects again and update the index
    (an object no longer findable is taken out).  Services call this wherever they change what a
    kind's documents show; a rollback indexes nothing."""
    ids = sorted(set(object_ids))
    if ids:
        transaction.on_commit(lambda: refresh(kind, ids))


def refresh(kind: str, object_ids: Sequence[int]) -> None:
    """Bring these objects' documents up to date now.  A search engine that is down is logged,
    not raised: the change that triggered this has committed, and the next ``search_reindex``
    catches the index up."""
    documents = list(registry.source(kind).documents_for(object_ids))
    gone = set(object_ids) - {document.object_id for document in documents}
    try:
        if documents:
            backend().index(documents)
        if gone:
            backend().remove(kind, gone)
    except SearchUnavailable:
        logger.warning("search index not updated for %s %s", kind, list(object_ids))


def all_documents(*, chunk_size: int = 500) -> Iterator[SearchDocument]:
    for source in registry.sources().values():
        yield from source.documents(chunk_size=chunk_size)


def document_count() -> int:
    return sum(source.count() for source in registry.sources().values())


def rebuild(*, on_progress: Callable[[int], None] = lambda done: None) -> int:
    """Rebuild the whole index from the database; answers how many documents it holds."""
    return backend().rebuild(all_documents(), on_progress=on_progress)
