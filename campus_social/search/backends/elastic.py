"""Search on Elasticsearch, with the same matching, ranking intent and results as the database.

What is indexed is described in ``elastic_mapping``.  A query is cut by
``normalize.parse_query`` and each of its terms becomes a filter over the Python-made term
fields (``term_clause``), so a document matches here exactly when it matches in the database.
Ranking: documents matching every term in their title, reading or romaji (the "head") come
first, then the rest; within each, ``rank_date`` soonest first, then — where dates tie or are
missing — Japanese-analysis relevance (kuromoji or CJK bigrams), then the id.

Searches read through an alias (``index_name``); ``rebuild`` fills a new concrete index and
moves the alias in one step, so searches never see a half-built index.  The cluster being down
or slow is ``SearchUnavailable`` (the API's 503), after a short timeout.
"""

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers
from elasticsearch.dsl import A, Q, Search
from elasticsearch.dsl.query import Query

from campus_social.search.backends import elastic_mapping as fields
from campus_social.search.backends.base import SearchUnavailable
from campus_social.search.documents import (
    COUNT_CAP,
    FACETS,
    FacetValue,
    Hit,
    SearchDocument,
    SearchQuery,
    SearchResults,
)
from campus_social.search.highlight import highlight, snippet
from campus_social.search.normalize import (
    ParsedQuery,
    Term,
    bigrams,
    is_kanji,
    parse_query,
    reading_of,
    romaji_key,
)

logger = logging.getLogger(__name__)

# A search answers in well under a second or not at all: a resident waits no longer than this
# before being told search is unavailable.
TIMEOUT_SECONDS = 3.0
# Creating an index and loading a batch of documents may take longer.
BULK_TIMEOUT_SECONDS = 60.0
BULK_CHUNK = 500

# A head match adds TIER_BOOST to the score; the Japanese-analysis clauses add far less, so
# ``floor(score / TIER_BOOST)`` is the tier, and what is left ranks inside it.
TIER_BOOST = 10_000.0
ANALYSIS_BOOST = 0.1
TIER_SCRIPT = "Math.floor(_score / params.tier)"

# Elasticsearch's default ``index.max_result_window``: pages past it are empty.
RESULT_WINDOW = 10_000
FACET_VALUES_MAX = 100
SAMPLE = "matches"  # the aggregation the facet counts are under
SUGGESTIONS_MAX = 5
# A query of more terms than this gets no "without this word" suggestions (one count each).
SUB_QUERY_TERMS_MAX = 6


# --- Query bodies (plain dicts, tested as such) -------------------------------------------------


def term_clause(term: Term, *, head_only: bool = False) -> Query:
    """What one term of a query matches (``normalize.Term``): a Japanese term as its character
    or its bigrams in a row, in any text field (or, having kanji, its reading in the reading);
    a word as its stem (or a stem starting with it) or as a romaji word.  ``head_only`` keeps to
    the title, reading and romaji."""
    clauses: list[Query] = []
    if term.japanese:
        pairs = [
            (fields.TITLE_UNIGRAMS, fields.TITLE_BIGRAMS),
            (fields.READING_UNIGRAMS, fields.READING_BIGRAMS),
        ]
        if not head_only:
            pairs.append((fields.REST_UNIGRAMS, fields.REST_BIGRAMS))
        clauses += [_grams(unigrams, bigrams, term.text) for unigrams, bigrams in pairs]
        if term.reading:
            clauses.append(_grams(fields.READING_UNIGRAMS, fields.READING_BIGRAMS, term.reading))
    else:
        word_fields = [fields.HEAD_WORDS] if head_only else [fields.HEAD_WORDS, fields.REST_WORDS]
        kind = "prefix" if term.prefix else "term"
        clauses += [Q(kind, **{name: term.stem}) for name in word_fields]
        clauses.append(Q(kind, **{fields.ROMAJI: term.romaji}))
    return Q("bool", should=clauses, minimum_should_match=1)


def _grams(unigrams_field: str, bigrams_field: str, text: str) -> Query:
    if len(text) == 1:
        return Q("term", **{unigrams_field: text})
    # The bigrams of ``text`` one after another: the phrase stays inside one run.
    return Q("match_phrase", **{bigrams_field: " ".join(bigrams(text))})


def _scope(access: frozenset[str], kinds: Sequence[str]) -> list[Query]:
    """What the viewer may find, in the kinds asked for."""
    scope = [Q("terms", access=sorted(access))]
    if kinds:
        scope.append(Q("terms", kind=list(kinds)))
    return scope


def _chosen(filters: Mapping[str, str], *, leaving_out: str = "") -> list[Query]:
    return [
        Q("term", **{fields.facet_field(name): value})
        for name, value in sorted(filters.items())
        if name != leaving_out
    ]


def _matching(parsed: ParsedQuery, query: SearchQuery) -> Query:
    """The documents the query finds (before facet filters), scored by tier and relevance."""
    matches = [term_clause(term) for term in parsed.terms]
    should: list[Query] = []
    if parsed:
        head = Q("bool", filter=[term_clause(term, head_only=True) for term in parsed.terms])
        should.append(Q("constant_score", filter=head, boost=TIER_BOOST))
        # Japanese analysis only orders what matched; a missing kuromoji subfield matches
        # nothing and costs nothing.
        should += [
            Q("match", **{name: {"query": parsed.text, "boost": ANALYSIS_BOOST}})
            for name in ("title", "title.kuromoji", "reading")
        ]
    return Q("bool", filter=matches + _scope(query.access, query.kinds), should=should)


def _order(parsed: ParsedQuery) -> list[Any]:
    by_date: list[Any] = [{"rank_date": {"order": "asc", "missing": "_last"}}]
    by_id: list[Any] = [{"object_id": {"order": "asc"}}, {"kind": {"order": "asc"}}]
    if not parsed:
        return by_date + by_id
    tier = {
        "_script": {
            "type": "number",
            "order": "desc",
            "script": {"source": TIER_SCRIPT, "params": {"tier": TIER_BOOST}},
        }
    }
    return [tier, *by_date, {"_score": {"order": "desc"}}, *by_id]


def query_body(query: SearchQuery, parsed: ParsedQuery) -> dict[str, Any]:
    """The search request for one page of ``query``.  Chosen facet values filter the hits
    (``post_filter``); each facet's counts respect the other chosen values, so a resident sees
    what choosing another value of the same facet would give."""
    start = (query.page - 1) * query.page_size
    size = max(0, min(query.page_size, RESULT_WINDOW - start))
    search = (
        Search()
        .query(_matching(parsed, query))
        .sort(*_order(parsed))
        .source(["kind", "object_id", "display"])
        .extra(from_=min(start, RESULT_WINDOW), size=size, track_total_hits=COUNT_CAP)
    )
    chosen = _chosen(query.filters)
    if chosen:
        search = search.post_filter(Q("bool", filter=chosen))
    # Facets count the first COUNT_CAP matches, as the total does (one shard: exactly those).
    sample = search.aggs.bucket(SAMPLE, "sampler", shard_size=COUNT_CAP)
    for name in FACETS:
        facet = A("filter", filter=Q("bool", filter=_chosen(query.filters, leaving_out=name)))
        facet.bucket(
            "values",
            "terms",
            field=fields.facet_field(name),
            size=FACET_VALUES_MAX,
            order=[{"_count": "desc"}, {"_key": "asc"}],
        )
        sample.bucket(name, facet)
    body: dict[str, Any] = search.to_dict()
    return body


def sub_query_body(query: SearchQuery, terms: Sequence[Term]) -> dict[str, Any]:
    """Whether these terms (the query less one) find anything the viewer may find, under the
    chosen filters (for suggestions)."""
    matches = [term_clause(term) for term in terms]
    scope = [*matches, *_scope(query.access, query.kinds), *_chosen(query.filters)]
    search = Search().query(Q("bool", filter=scope)).extra(size=0, track_total_hits=1)
    body: dict[str, Any] = search.to_dict()
    return body


def prefix_keys(text: str, *, with_reading: bool = False) -> list[str]:
    """What typed text is compared with, as a prefix of the folded title, reading or romaji:
    the text folded as a query is (with and without spaces) and its romaji key; and, for "did
    you mean" when nothing matched, the reading of a text with kanji."""
    folded = parse_query(text).text
    keys = [folded, folded.replace(" ", "")]
    if with_reading and any(is_kanji(char) for char in folded):
        keys.append(reading_of(folded))
    if folded.isascii():
        keys.append(romaji_key(folded).replace(" ", ""))
    return list(dict.fromkeys(key for key in keys if key))


def suggest_body(
    keys: Sequence[str], *, access: frozenset[str], kinds: Sequence[str], limit: int
) -> dict[str, Any]:
    """Typeahead: the titles the viewer may find whose folded title, reading or romaji starts
    with one of ``keys`` (``prefix_keys``), each title once, short titles and soonest first."""
    starts = [Q("prefix", **{fields.SUGGEST_KEYS: key}) for key in keys]
    search = (
        Search()
        .query(
            Q(
                "bool",
                filter=[*_scope(access, kinds), Q("bool", should=starts, minimum_should_match=1)],
            )
        )
        .sort(
            {fields.TITLE_LENGTH: {"order": "asc"}},
            {"rank_date": {"order": "asc", "missing": "_last"}},
            {"object_id": {"order": "asc"}},
        )
        .collapse(field=fields.TITLE_EXACT)
        .source(["display.title"])
        .extra(size=limit, track_total_hits=False)
    )
    body: dict[str, Any] = search.to_dict()
    return body


# --- The backend --------------------------------------------------------------------------------


@contextmanager
def _unavailable_when_down() -> Iterator[None]:
    """A cluster that cannot be reached, times out or fails on its side is ``SearchUnavailable``;
    a request it refuses as wrong (4xx) is a bug here and is raised as it is."""
    try:
        yield
    except TransportError as error:
        raise SearchUnavailable() from error
    except ApiError as error:
        if error.status_code >= 500 or error.status_code == 429:
            raise SearchUnavailable() from error
        raise


@contextmanager
def _logged_when_refused() -> Iterator[None]:
    """Documents the cluster refused (overloaded, or a bug) leave the index behind the
    database, as a cluster that is down does: logged, and caught up by the next rebuild — the
    change that asked for the update has committed and must not fail now."""
    try:
        yield
    except helpers.BulkIndexError as error:
        # Ids, statuses and error types only: the documents themselves stay out of the log.
        refused = [
            (item.get("_id"), item.get("status"), (item.get("error") or {}).get("type"))
            for failure in error.errors
            for item in failure.values()
        ]
        logger.error("search index refused %d document(s): %s", len(refused), refused[:5])
        raise SearchUnavailable() from error


def connect(url: str, **options: Any) -> Elasticsearch:
    """A client that gives up soon (``options`` are for tests: a fake node class)."""
    return Elasticsearch(
        url, request_timeout=TIMEOUT_SECONDS, max_retries=1, retry_on_timeout=False, **options
    )


class ElasticsearchBackend:
    """The search backend on an Elasticsearch cluster at ``url``; ``index_name`` is the alias
    searches read through (``client`` is for tests: a client on a fake transport)."""

    def __init__(
        self,
        url: str,
        *,
        index_name: str = "campus-search",
        client: Elasticsearch | None = None,
    ) -> None:
        self.index_name = index_name
        self.client = client or connect(url)

    # --- Writing ---

    def index(self, documents: Iterable[SearchDocument]) -> None:
        actions = [self._action(self.index_name, document) for document in documents]
        if not actions:
            return
        with _unavailable_when_down(), _logged_when_refused():
            self._ensure_alias()
            # Visible to the next search (an edit is followed by a look at the result); written
            # only through the alias, never into an index made up on the spot.
            helpers.bulk(self.client, actions, refresh="wait_for", require_alias=True)

    def remove(self, kind: str, object_ids: Iterable[int]) -> None:
        actions = [
            {"_op_type": "delete", "_index": self.index_name, "_id": f"{kind}:{object_id}"}
            for object_id in sorted(set(object_ids))
        ]
        if not actions:
            return
        with _unavailable_when_down(), _logged_when_refused():
            # Not in the index (or no index yet) is what was asked for.
            helpers.bulk(self.client, actions, refresh="wait_for", ignore_status=(404,))

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        on_progress: Callable[[int], None] = lambda done: None,
    ) -> int:
        """Fill a new concrete index, then move the alias to it in one step and delete the old
        one.  A failure on the way deletes the new index and leaves the alias where it was."""
        with _unavailable_when_down():
            new_index = f"{self.index_name}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
            self._create(new_index)
            try:
                done = self._load(new_index, documents, on_progress)
                self._slow().indices.refresh(index=new_index)
                old_indices = self._aliased_indices()
                moves: list[Mapping[str, Any]] = [
                    {"remove": {"index": name, "alias": self.index_name}} for name in old_indices
                ]
                moves.append({"add": {"index": new_index, "alias": self.index_name}})
                self._slow().indices.update_aliases(actions=moves)
            except BaseException:
                self._delete_quietly(new_index)
                raise
        for name in old_indices:
            self._delete_quietly(name)
        return done

    def _action(self, index: str, document: SearchDocument) -> dict[str, Any]:
        return {
            "_index": index,
            "_id": document.key,
            "_source": fields.document_body(document),
        }

    def _load(
        self,
        index: str,
        documents: Iterable[SearchDocument],
        on_progress: Callable[[int], None],
    ) -> int:
        done = 0
        actions = (self._action(index, document) for document in documents)
        for _ok, _item in helpers.streaming_bulk(self._slow(), actions, chunk_size=BULK_CHUNK):
            done += 1
            if done % BULK_CHUNK == 0:
                on_progress(done)
        on_progress(done)
        return done

    def _create(self, index: str, *, aliased: bool = False) -> None:
        body = fields.index_body(kuromoji=self._has_kuromoji())
        self._slow().indices.create(
            index=index,
            settings=body["settings"],
            mappings=body["mappings"],
            aliases={self.index_name: {}} if aliased else None,
        )

    def _slow(self) -> Elasticsearch:
        """The client for creating and loading an index, which may take longer than a search."""
        return self.client.options(request_timeout=BULK_TIMEOUT_SECONDS)

    def _has_kuromoji(self) -> bool:
        """Whether every node has the kuromoji plugin (an analyzer must exist on each)."""
        try:
            nodes = self.client.nodes.info(metric="plugins").body.get("nodes", {})
        except ApiError as error:
            if error.status_code >= 500:
                raise
            return False  # not allowed to ask (a hosted cluster): do without
        plugins = [
            {plugin["name"] for plugin in node.get("plugins", [])} for node in nodes.values()
        ]
        return bool(plugins) and all(fields.KUROMOJI_PLUGIN in names for names in plugins)

    def _aliased_indices(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.index_name).body)
        except NotFoundError:
            return []

    def _ensure_alias(self) -> None:
        """The first write to a cluster without the index creates it (under a fixed name, so
        two processes doing so at once create it once).  Asked on every write: writes are few,
        and an index deleted by hand is made again."""
        if self.client.indices.exists_alias(name=self.index_name):
            return
        try:
            self._create(f"{self.index_name}-first", aliased=True)
        except ApiError as error:
            if error.status_code != 400 or error.error != "resource_already_exists_exception":
                raise

    def _delete_quietly(self, index: str) -> None:
        try:
            self.client.options(ignore_status=404).indices.delete(index=index)
        except (TransportError, ApiError):
            logger.warning("search index %s could not be deleted; delete it by hand", index)

    # --- Reading ---

    def search(self, query: SearchQuery) -> SearchResults:
        parsed = parse_query(query.text)
        empty = SearchResults(
            hits=[], total=0, total_capped=False, page=query.page, page_size=query.page_size
        )
        with _unavailable_when_down():
            try:
                response = self.client.search(
                    index=self.index_name, body=query_body(query, parsed)
                ).body
            except NotFoundError:
                return empty  # nothing indexed yet
            results = self._results(response, query, parsed)
            if results.total == 0 and parsed:
                results = replace(results, suggestions=self._suggestions(query, parsed))
        return results

    def _results(
        self, response: Mapping[str, Any], query: SearchQuery, parsed: ParsedQuery
    ) -> SearchResults:
        hits = []
        for found in response["hits"]["hits"]:
            source = found["_source"]
            display = source["display"]
            hits.append(
                Hit(
                    kind=source["kind"],
                    object_id=source["object_id"],
                    title=display["title"],
                    url=display["url"],
                    title_html=highlight(display["title"], parsed),
                    snippet_html=snippet(display["body"] or display["keywords"], parsed),
                )
            )
        total = response["hits"]["total"]
        facets: dict[str, list[FacetValue]] = {}
        for name in FACETS:
            sample = response.get("aggregations", {}).get(SAMPLE, {})
            buckets = sample.get(name, {}).get("values", {})
            values = [
                FacetValue(value=bucket["key"], count=bucket["doc_count"])
                for bucket in buckets.get("buckets", [])
            ]
            if values:
                facets[name] = values
        return SearchResults(
            hits=hits,
            total=min(total["value"], COUNT_CAP),
            total_capped=total["relation"] == "gte",
            page=query.page,
            page_size=query.page_size,
            facets=facets,
        )

    def _suggestions(self, query: SearchQuery, parsed: ParsedQuery) -> list[str]:
        """When nothing matched: the query without one of its terms, where that finds something
        (asked in one multi-search), then titles that start like the query, its reading or its
        romaji — as the database backend suggests."""
        found: list[str] = []
        terms = parsed.terms
        if 1 < len(terms) <= SUB_QUERY_TERMS_MAX:
            sub_queries = [
                terms[:left_out] + terms[left_out + 1 :] for left_out in range(len(terms))
            ]
            searches: list[Mapping[str, Any]] = []
            for rest in sub_queries:
                searches += [{"index": self.index_name}, sub_query_body(query, rest)]
            answers = self.client.msearch(searches=searches).body["responses"]
            found += [
                " ".join(term.text for term in rest)
                for rest, answer in zip(sub_queries, answers, strict=True)
                if answer.get("hits", {}).get("total", {}).get("value", 0) > 0
            ]
        found += self._titles_starting(
            prefix_keys(query.text, with_reading=True),
            access=query.access,
            kinds=query.kinds,
            limit=SUGGESTIONS_MAX,
        )
        return list(dict.fromkeys(found))[:SUGGESTIONS_MAX]

    def suggest(
        self, text: str, *, access: frozenset[str], kinds: tuple[str, ...] = (), limit: int = 8
    ) -> list[str]:
        with _unavailable_when_down():
            return self._titles_starting(prefix_keys(text), access=access, kinds=kinds, limit=limit)

    def _titles_starting(
        self, keys: Sequence[str], *, access: frozenset[str], kinds: Sequence[str], limit: int
    ) -> list[str]:
        if not keys or limit < 1:
            return []
        body = suggest_body(keys, access=access, kinds=kinds, limit=limit)
        try:
            response = self.client.search(index=self.index_name, body=body).body
        except NotFoundError:
            return []
        return [found["_source"]["display"]["title"] for found in response["hits"]["hits"]]
