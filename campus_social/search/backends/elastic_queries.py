"""The request bodies of Elasticsearch searches, as plain dicts built with the Elasticsearch DSL.

Each term of a query (``normalize.parse_query``) becomes a filter over the Python-made term
fields of ``elastic_mapping`` (``term_clause``), so a document matches here exactly when it
matches in the database.  The order: documents matching every term in their title, reading or
romaji (the "head") first, then the rest; within each, ``rank_date`` soonest first, then —
where dates tie or are missing — Japanese-analysis relevance, then the id.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from elasticsearch.dsl import Q, Search
from elasticsearch.dsl.query import Query

from campus_social.search.backends import elastic_mapping as fields
from campus_social.search.documents import COUNT_CAP, FACETS, SearchQuery
from campus_social.search.normalize import (
    ParsedQuery,
    Term,
    bigrams,
    is_kanji,
    parse_query,
    reading_of,
    romaji_key,
)

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


def _chosen(filters: Mapping[str, str]) -> list[Query]:
    return [
        Q("term", **{fields.facet_field(name): value}) for name, value in sorted(filters.items())
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
    scope = _scope(query.access, query.kinds) + _chosen(query.filters)
    return Q("bool", filter=matches + scope, should=should)


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
    """The search request for one page of ``query``.  Chosen facet values filter the matches,
    and the facets count what is left — as the database backend does."""
    start = (query.page - 1) * query.page_size
    size = max(0, min(query.page_size, RESULT_WINDOW - start))
    search = (
        Search()
        .query(_matching(parsed, query))
        .sort(*_order(parsed))
        .source(["kind", "object_id", "display"])
        .extra(from_=min(start, RESULT_WINDOW), size=size, track_total_hits=COUNT_CAP)
    )
    # Facets count the first COUNT_CAP matches, as the total does (one shard: exactly those).
    sample = search.aggs.bucket(SAMPLE, "sampler", shard_size=COUNT_CAP)
    for name in FACETS:
        sample.bucket(
            name,
            "terms",
            field=fields.facet_field(name),
            size=FACET_VALUES_MAX,
            order=[{"_count": "desc"}, {"_key": "asc"}],
        )
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
