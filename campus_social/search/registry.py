"""The kinds of things search finds, as the apps register them.  The core imports no app: an app
hands its source in from its ``AppConfig.ready()``, which runs before any request is served."""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from campus_social.search.documents import SearchDocument

if TYPE_CHECKING:
    from campus_social.identity.models import Resident


class DocumentSource(Protocol):
    """One kind of findable thing (``kind``: "offering", "circle", …) and how to describe it.

    ``documents`` yields a document for each object that should be findable now, in batches of
    ``chunk_size`` queries at most (for ``search_reindex``), and ``count`` says how many there
    are (for its progress bar).  ``documents_for`` describes the given objects again after a
    change: the ids it yields no document for are taken out of the index.  ``access_keys``
    are the viewer's keys for this kind (``documents.PUBLIC`` is added for everyone).  ``label``
    names the kind to residents, in their language.
    """

    kind: str

    def label(self) -> str: ...

    def count(self) -> int: ...

    def documents(self, *, chunk_size: int = 500) -> Iterable[SearchDocument]: ...

    def documents_for(self, object_ids: Sequence[int]) -> Iterable[SearchDocument]: ...

    def access_keys(self, viewer: "Resident | None") -> set[str]: ...


_sources: dict[str, DocumentSource] = {}


def register(source: DocumentSource) -> None:
    if source.kind in _sources and _sources[source.kind] is not source:
        raise ValueError(f"search kind {source.kind!r} is registered twice")
    _sources[source.kind] = source


def sources() -> dict[str, DocumentSource]:
    """Every registered kind, in the order the apps registered them."""
    return dict(_sources)


def source(kind: str) -> DocumentSource:
    return _sources[kind]
