"""What is indexed and what a search answers: plain values, the same for every backend."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

# Access keys: a document lists who may find it; a viewer finds it when one of their keys is in
# that list.  ``PUBLIC`` is everyone's, signed in or not; each app's source adds its own keys
# for what only some may find ("circle:12" for the members of an invite-only circle).
PUBLIC = "public"

# The facets a search can be narrowed by and counts results in.  Each document gives each of
# them zero or more values ("weekday": ("1", "3")); a value is an opaque string the app defines
# and labels ("free": ("yes",) or ("no",)).
FACETS = ("kind", "category", "district", "audience", "weekday", "free", "credit")


@dataclass(frozen=True)
class SearchDocument:
    """One findable thing, as its app describes it to the index.

    ``title`` (with its kana ``reading``; the romaji of the reading is derived) ranks first,
    ``keywords`` (names of lecturers, topics, the category and district in words) next and
    ``body`` (the description) last.  ``rank_date``, when given, orders equally good matches
    soonest first (an offering's first session); ``url`` is the page the hit links to.
    """

    kind: str
    object_id: int
    title: str
    url: str
    reading: str = ""
    keywords: str = ""
    body: str = ""
    facets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    access: tuple[str, ...] = (PUBLIC,)
    rank_date: datetime | None = None

    @property
    def key(self) -> str:
        """The document's id in the index: ``"offering:12"``."""
        return f"{self.kind}:{self.object_id}"


@dataclass(frozen=True)
class SearchQuery:
    """A search as asked: the resident's words, the kinds to look in (all when empty), the facet
    values chosen (a document must have each), the viewer's access keys, and the page."""

    text: str
    access: frozenset[str]
    kinds: tuple[str, ...] = ()
    filters: Mapping[str, str] = field(default_factory=dict)
    page: int = 1
    page_size: int = 20


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    title: str
    url: str
    # The title and a stretch of the body with the matched text in <mark>, HTML-escaped.
    title_html: str
    snippet_html: str


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResults:
    """One page of hits, best first.  ``total`` counts every match up to ``COUNT_CAP``;
    ``total_capped`` says there are at least that many.  ``facets`` counts the matches by each
    facet's values (over the same capped set).  ``suggestions`` are other queries to try, given
    when nothing matched."""

    hits: list[Hit]
    total: int
    total_capped: bool
    page: int
    page_size: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)


# Counting stops here: "1,000+ results" is as useful as the exact figure, and a character found
# in most documents would otherwise cost a count of them all.
COUNT_CAP = 1000
