"""The database search backend: SQLite FTS5 or PostgreSQL full text, whichever the site runs on.

What is indexed and what is asked both come from ``normalize``; this module only lays those
terms out for the database and asks it.  Each document's terms go into five namespaces:

- ``head``: the terms of the title and of its reading,
- ``rest``: the terms of the keywords and the body,
- ``reading``: the terms of the reading alone (a kanji query's own reading is looked for here),
- ``romaji``: the romaji keys of the reading's words,
- ``tags``: who may find it, its kind and its facet values, as opaque tokens.

Each namespace is a one-letter prefix on its terms (``LETTER``), in one FTS5 column on SQLite and
one tsvector on PostgreSQL.  A Japanese run's bigrams are written next to each other and runs
are kept apart (a break token on SQLite, a gap in positions on PostgreSQL), so a query's bigrams
match as a phrase inside one run only.

Access and filters are part of the full-text match (the ``tags``), so a query for a character
found in most documents never fetches them all to filter afterwards.  Ranking needs no sort: an
entry's id encodes its ``rank_date`` order (``models.SearchEntry``), both engines hand back
matches in id order, and only one page is read — first of the documents that match every term
in their title, reading or romaji (the head), then of the rest.  Counts stop at ``COUNT_CAP``.
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol, TypeVar

from django.db import connection, transaction
from django.db.models import Max, Q

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
from campus_social.search.models import (
    FACET_VALUE_MAX,
    PREFIX_KEY_CHARS,
    SearchEntry,
    SearchFacet,
)
from campus_social.search.normalize import (
    ParsedQuery,
    Term,
    fold,
    index_terms,
    is_kanji,
    parse_query,
    reading_of,
    romaji_key,
    romaji_words,
)

T = TypeVar("T")

HEAD, REST, READING, ROMAJI, TAGS = "head", "rest", "reading", "romaji", "tags"
NAMESPACES = (HEAD, REST, READING, ROMAJI, TAGS)
TEXT = (HEAD, REST)
# Each namespace's terms carry its letter in front, so that a term's list of documents in the
# full-text index holds only the documents having it in that namespace: looking for 公民 in
# titles never reads through the documents that have it in their description.
LETTER = {HEAD: "h", REST: "r", READING: "y", ROMAJI: "m", TAGS: "t"}

# What a hit shows, read for one page.
HIT_FIELDS = ("kind", "object_id", "title", "url", "keywords", "body")
# Longer words are cut: a query is at most normalize.QUERY_MAX_CHARS long, so nothing is lost,
# and PostgreSQL refuses lexemes over 2 kB.
TOKEN_MAX_CHARS = 120
# Rows written per statement and documents per batch.
BATCH = 500
# Suggestions when nothing matched: this many at most, from sub-queries of at most this many terms.
SUGGESTIONS_MAX = 5
SUB_QUERY_TERMS_MAX = 6
# Typeahead reads this many candidates per key at most before filtering by access.
TYPEAHEAD_SCAN = 200
# An offset past this answers an empty page rather than asking the database for it.
OFFSET_MAX = 1_000_000

# --- The order of entries: their ids -------------------------------------------------------------

# An id is (rank date in seconds) << SERIAL_BITS | serial; documents without a date sort last.
SERIAL_BITS = 30
DATE_BUCKET_MAX = (1 << 33) - 1
NO_DATE_BUCKET = DATE_BUCKET_MAX


def date_bucket(rank_date: datetime | None) -> int:
    if rank_date is None:
        return NO_DATE_BUCKET
    return min(max(int(rank_date.timestamp()), 0), DATE_BUCKET_MAX - 1)


def _bucket_range(bucket: int) -> tuple[int, int]:
    return bucket << SERIAL_BITS, ((bucket + 1) << SERIAL_BITS) - 1


# --- What a document puts in each namespace -----------------------------------------------------


@dataclass
class _Terms:
    """One namespace of one document: ``loose`` terms (characters, words, romaji, tags), whose
    positions do not matter, and ``runs`` of bigrams, each to be written in order and kept apart
    from the others."""

    loose: list[str] = field(default_factory=list)
    runs: list[list[str]] = field(default_factory=list)

    def add_text(self, text: str) -> None:
        terms = index_terms(text)
        self.loose.extend(terms.unigrams)
        self.loose.extend(word[:TOKEN_MAX_CHARS] for word in terms.words)
        self.runs.extend(terms.bigram_runs)


def _tag(prefix: str, value: str) -> str:
    """A tag as one token the tokenizer keeps whole: a letter and the value in hex."""
    return prefix + value.encode().hex()


def access_tag(key: str) -> str:
    return _tag("a", key)


def kind_tag(kind: str) -> str:
    return _tag("k", kind)


def facet_tag(name: str, value: str) -> str:
    return _tag("f", f"{name}\x1f{value}")


def document_terms(document: SearchDocument) -> dict[str, _Terms]:
    terms = {namespace: _Terms() for namespace in NAMESPACES}
    terms[HEAD].add_text(document.title)
    terms[HEAD].add_text(document.reading)
    terms[READING].add_text(document.reading)
    terms[REST].add_text(document.keywords)
    terms[REST].add_text(document.body)
    terms[ROMAJI].loose.extend(romaji_words(document.title, document.reading))
    tags = terms[TAGS].loose
    tags.extend(access_tag(key) for key in document.access)
    tags.append(kind_tag(document.kind))
    for name, values in document.facets.items():
        tags.extend(facet_tag(name, value) for value in values)
    return terms


# --- What a query asks, before it is written for one engine ---------------------------------------


@dataclass(frozen=True)
class Token:
    namespaces: tuple[str, ...]
    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    namespaces: tuple[str, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class Without:
    wanted: Expr
    unwanted: Expr


Expr = Token | Phrase | AllOf | AnyOf | Without


def _namespaces(expr: Expr) -> set[str]:
    if isinstance(expr, Token | Phrase):
        return set(expr.namespaces)
    if isinstance(expr, Without):
        return _namespaces(expr.wanted) | _namespaces(expr.unwanted)
    return set().union(*(_namespaces(part) for part in expr.parts))


def _grams(namespaces: tuple[str, ...], grams: list[str]) -> Expr:
    if len(grams) == 1:
        return Token(namespaces, grams[0])
    return Phrase(namespaces, tuple(grams))


def term_expr(term: Term, text_namespaces: tuple[str, ...]) -> Expr:
    """What one query term matches, in the given text namespaces (the head, or all text)."""
    options: list[Expr]
    if term.japanese:
        options = [_grams(text_namespaces, term.grams)]
        if term.reading:
            options.append(_grams((READING,), term.reading_grams))
    else:
        options = [Token(text_namespaces, term.stem[:TOKEN_MAX_CHARS], term.prefix)]
        if term.romaji:
            options.append(Token((ROMAJI,), term.romaji[:TOKEN_MAX_CHARS], term.prefix))
    return options[0] if len(options) == 1 else AnyOf(tuple(options))


def terms_expr(terms: Sequence[Term], text_namespaces: tuple[str, ...]) -> Expr:
    return AllOf(tuple(term_expr(term, text_namespaces) for term in terms))


def filter_expr(query: SearchQuery) -> Expr | None:
    """Who may find it, the kinds asked for and the facet values chosen, or None when the viewer
    may find nothing at all."""
    if not query.access:
        return None
    parts: list[Expr] = [
        AnyOf(tuple(Token((TAGS,), access_tag(key)) for key in sorted(query.access)))
    ]
    if query.kinds:
        parts.append(AnyOf(tuple(Token((TAGS,), kind_tag(kind)) for kind in query.kinds)))
    for name, value in sorted(query.filters.items()):
        tag = kind_tag(value) if name == "kind" else facet_tag(name, value)
        parts.append(Token((TAGS,), tag))
    return AllOf(tuple(parts))


# --- The two engines ----------------------------------------------------------------------------


class _Engine(Protocol):
    # The column the ids of the full-text table are in.
    id_column: str
    # Whether a capped search's page is cut from the counted matches (``_capped_page_ids``)
    # rather than read tier by tier: the cheaper way where walking a tier in order may check
    # every row (PostgreSQL), not where a term's list is read in order anyway (FTS5).
    pages_from_counted: bool

    def select(self, expr: Expr) -> tuple[str, list[str]]:
        """SQL answering the ids of the entries matching ``expr``, and its parameters."""

    def insert(self, rows: Sequence[tuple[int, dict[str, _Terms]]]) -> None: ...

    def delete(self, ids: Sequence[int]) -> None: ...

    def begin_rebuild(self) -> None:
        """Empty the index, to be filled again in this transaction."""

    def lock(self) -> None:
        """Let one transaction at a time write the index (ids are the last one plus one)."""

    def reading(self) -> AbstractContextManager[object]:
        """Around the queries of one search."""

    def after_rebuild(self) -> None:
        """Ready the filled index for searching."""

    def plan(self, *, walk: bool | None) -> None:
        """How the next queries read their matches: walking the ids in order and checking each
        row until enough match (``walk``), listing every match from the full-text index and
        sorting them (not ``walk``), or as the engine's planner likes (None)."""

    def plan_for(self, expr: Expr) -> None:
        """``plan`` the cheaper way for the first ``COUNT_CAP`` matches of ``expr``."""

    def settle(self) -> None:
        """After a rebuild's transaction: let searches read the index at its fastest."""


def _quote_fts(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class _Sqlite:
    """FTS5 with the ``ascii`` tokenizer (it splits at ASCII spaces and punctuation only, and
    every term is letters and digits or Japanese): one column of namespaced terms, each run of
    bigrams kept apart from the next by a break token."""

    match_sql = "SELECT rowid FROM search_fulltext WHERE search_fulltext MATCH %s"
    id_column = "rowid"
    pages_from_counted = False
    RUN_BREAK = "¦"  # a token no query term can be: not a letter, digit or Japanese

    def select(self, expr: Expr) -> tuple[str, list[str]]:
        return self.match_sql, [self.write(expr)]

    def _token(self, namespace: str, text: str, prefix: bool = False) -> str:
        return _quote_fts(LETTER[namespace] + text) + (" *" if prefix else "")

    def write(self, expr: Expr) -> str:
        if isinstance(expr, Token):
            options = [self._token(ns, expr.text, expr.prefix) for ns in expr.namespaces]
        elif isinstance(expr, Phrase):
            options = [
                " + ".join(self._token(ns, text) for text in expr.texts) for ns in expr.namespaces
            ]
        elif isinstance(expr, AllOf):
            return "(" + " AND ".join(self.write(part) for part in expr.parts) + ")"
        elif isinstance(expr, AnyOf):
            return "(" + " OR ".join(self.write(part) for part in expr.parts) + ")"
        else:
            return f"({self.write(expr.wanted)} NOT {self.write(expr.unwanted)})"
        return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"

    def _text(self, terms: dict[str, _Terms]) -> str:
        pieces: list[str] = []
        for namespace in NAMESPACES:
            letter = LETTER[namespace]
            pieces.append(" ".join(letter + text for text in terms[namespace].loose))
            pieces.extend(" ".join(letter + text for text in run) for run in terms[namespace].runs)
        return f" {self.RUN_BREAK} ".join(pieces)

    def insert(self, rows: Sequence[tuple[int, dict[str, _Terms]]]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_fulltext (rowid, terms) VALUES (%s, %s)",
                [(entry_id, self._text(terms)) for entry_id, terms in rows],
            )

    def delete(self, ids: Sequence[int]) -> None:
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM search_fulltext WHERE rowid IN ({marks})", ids)  # noqa: S608

    def begin_rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fulltext")

    def lock(self) -> None:
        pass  # SQLite has one writer at a time already (transactions begin IMMEDIATE)

    def reading(self) -> AbstractContextManager[object]:
        return nullcontext()

    def plan(self, *, walk: bool | None) -> None:
        pass  # FTS5 always reads a term's document list in rowid order

    def plan_for(self, expr: Expr) -> None:
        pass

    def settle(self) -> None:
        pass

    def after_rebuild(self) -> None:
        # Merge the index into one segment: every later query reads fewer pages.
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fulltext (search_fulltext) VALUES ('optimize')")


def _grams_of(text: str, size: int) -> list[str]:
    """The overlapping substrings of ``size`` characters (none when ``text`` is shorter)."""
    return [text[i : i + size] for i in range(len(text) - size + 1)]


def _quote_lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


class _Postgres:
    """Two GIN-indexed tsvectors per entry, their lexemes prefixed by their namespace's letter:
    ``head`` (title, reading, romaji) and ``rest`` (keywords and body), both with the tags.

    A phrase is checked against the row's tsvector, and a description's is large: keeping the
    head apart makes the title matches, which every search ranks first, cheap to check.  The
    tags (who may find it, filters) go with every part of a query, so that each index scan
    skips what the viewer may not find instead of listing it."""

    id_column = "id"
    pages_from_counted = True
    COLUMN = {HEAD: "head", READING: "head", ROMAJI: "head", TAGS: "head", REST: "rest"}
    COLUMN_NAMESPACES = {"head": (HEAD, READING, ROMAJI, TAGS), "rest": (REST, TAGS)}
    # Japanese runs are indexed as their grams of two to this many characters: a query term up
    # to this long is one lexeme, found in the GIN index alone, where a phrase of bigrams
    # would have every candidate row's positions checked (the bulk of a search's time).
    GRAM_MAX = 4
    WRITE_LOCK = 0x5EA4C8  # the advisory lock key of index writes
    POSITION_MAX = 16383  # PostgreSQL's limit; later bigrams of a very long text are left out

    def _lexeme(self, namespace: str, text: str, prefix: bool = False) -> str:
        return _quote_lexeme(LETTER[namespace] + text) + (":*" if prefix else "")

    def write(self, expr: Expr) -> str:
        """``expr`` as one tsquery (its namespaces may lie in either column)."""
        if isinstance(expr, Token):
            options = [self._lexeme(ns, expr.text, expr.prefix) for ns in expr.namespaces]
        elif isinstance(expr, Phrase):
            # The phrase's text, as the longest grams the index holds: one lexeme up to
            # GRAM_MAX characters (no positions to check), else those grams side by side.
            text = expr.texts[0] + "".join(gram[-1] for gram in expr.texts[1:])
            grams = _grams_of(text, self.GRAM_MAX) or [text]
            options = [
                " <-> ".join(self._lexeme(ns, gram) for gram in grams) for ns in expr.namespaces
            ]
            options = [f"({option})" if len(grams) > 1 else option for option in options]
        elif isinstance(expr, AllOf):
            return "(" + " & ".join(self.write(part) for part in expr.parts) + ")"
        elif isinstance(expr, AnyOf):
            return "(" + " | ".join(self.write(part) for part in expr.parts) + ")"
        else:
            return f"({self.write(expr.wanted)} & !{self.write(expr.unwanted)})"
        return options[0] if len(options) == 1 else "(" + " | ".join(options) + ")"

    def select(self, expr: Expr) -> tuple[str, list[str]]:
        where, params = self._where(expr)
        return f"SELECT id FROM search_fulltext WHERE ({where})", params  # noqa: S608

    def _where(self, expr: Expr) -> tuple[str, list[str]]:
        if isinstance(expr, Without):
            wanted, params = self._where(expr.wanted)
            unwanted, more = self._condition(expr.unwanted, tags=None)
            return f"{wanted} AND NOT {unwanted}", params + more
        parts = expr.parts if isinstance(expr, AllOf) else (expr,)
        tag_parts = tuple(part for part in parts if _namespaces(part) == {TAGS})
        term_parts = tuple(part for part in parts if _namespaces(part) != {TAGS})
        tags = self.write(AllOf(tag_parts)) if tag_parts else None
        if not term_parts:
            return ("head @@ %s::tsquery", [tags]) if tags else ("TRUE", [])
        return self._condition(AllOf(term_parts), tags)

    def _condition(self, expr: Expr, tags: str | None) -> tuple[str, list[str]]:
        """``expr`` as SQL on the two columns, one tsquery per column where it can be, each
        with the tags in it."""
        columns = {self.COLUMN[ns] for ns in _namespaces(expr)}
        if len(columns) == 1:
            query = self.write(expr) + (f" & {tags}" if tags else "")
            return f"{columns.pop()} @@ %s::tsquery", [query]
        if isinstance(expr, Token | Phrase):
            by_column: dict[str, list[str]] = {}
            for ns in expr.namespaces:
                by_column.setdefault(self.COLUMN[ns], []).append(ns)
            expr = AnyOf(tuple(replace(expr, namespaces=tuple(ns)) for ns in by_column.values()))
        if isinstance(expr, Without):
            wanted, params = self._condition(expr.wanted, tags)
            unwanted, more = self._condition(expr.unwanted, tags=None)
            return f"({wanted} AND NOT {unwanted})", params + more
        assert isinstance(expr, AllOf | AnyOf)
        pieces = [self._condition(part, tags) for part in expr.parts]
        joiner = " AND " if isinstance(expr, AllOf) else " OR "
        return (
            "(" + joiner.join(sql for sql, _ in pieces) + ")",
            [param for _, params in pieces for param in params],
        )

    def _tsvector(self, terms: dict[str, _Terms], namespaces: Sequence[str]) -> str:
        positions: dict[str, list[int]] = {}
        for namespace in namespaces:
            letter = LETTER[namespace]
            for text in terms[namespace].loose:
                positions.setdefault(letter + text, [1])
            # Runs from position 3 on, one position left empty between runs; each character's
            # grams of two to GRAM_MAX characters at the character's position.
            position = 3
            for run in terms[namespace].runs:
                if position + len(run) > self.POSITION_MAX:
                    break
                text = run[0] + "".join(gram[-1] for gram in run[1:])
                for size in range(2, self.GRAM_MAX + 1):
                    for offset, gram in enumerate(_grams_of(text, size)):
                        positions.setdefault(letter + gram, []).append(position + offset)
                position += len(run) + 1
        return " ".join(
            f"{_quote_lexeme(lexeme)}:{','.join(map(str, sorted(set(at))[:256]))}"
            for lexeme, at in positions.items()
        )

    def __init__(self) -> None:
        # Where rows are written: the index, or during a rebuild a table beside it (see below).
        self.table = "search_fulltext"
        self.rows = 1.0  # the table's rows, as the statistics have it (read by ``reading``)
        self.before: dict[str, str] = {"cpu_operator_cost": "0.0025"}  # settings before it

    def insert(self, rows: Sequence[tuple[int, dict[str, _Terms]]]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.table} (id, head, rest)"  # noqa: S608
                " VALUES (%s, %s::tsvector, %s::tsvector)",
                [
                    (
                        entry_id,
                        self._tsvector(terms, self.COLUMN_NAMESPACES["head"]),
                        self._tsvector(terms, self.COLUMN_NAMESPACES["rest"]),
                    )
                    for entry_id, terms in rows
                ],
            )

    def delete(self, ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE id = ANY(%s)", [list(ids)])  # noqa: S608

    def begin_rebuild(self) -> None:
        """Rows are first written to a temporary table, then copied into the index in id order:
        a page of a common term then reads the table's pages one after the other."""
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fulltext")
            cursor.execute(
                "CREATE TEMPORARY TABLE search_fulltext_rebuild"
                " (id bigint, head tsvector, rest tsvector) ON COMMIT DROP"
            )
        self.table = "search_fulltext_rebuild"

    def lock(self) -> None:
        # Two transactions indexing at once would both take the same next id for a date.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [self.WRITE_LOCK])

    # Settings a search steers the planner with, put back when it ends.
    SETTINGS = (
        "enable_seqscan",
        "enable_indexscan",
        "enable_bitmapscan",
        "cpu_operator_cost",
        "max_parallel_workers_per_gather",
        "jit",
    )
    # What checking a row's tsvector costs the planner, in its units (PostgreSQL's default is
    # 0.0025, as cheap as comparing two integers): at that price it lists one term's matches
    # from its index and checks every one against the others' (every row's terms read), where
    # intersecting each term's matches in the indexes costs a tenth of the time.
    OPERATOR_COST = "0.5"
    # Walking the ids checks about COUNT_CAP / share rows, each costing about this many times
    # what listing one match from the index and sorting it costs (measured at 100,000 rows).
    WALK_COST_RATIO = 25

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Searches never read the table through: checking a tsvector costs far more than the
        planner believes, so "read on until a thousand match" looks cheap to it and is not.
        With sequential scans off, matches come from the GIN indexes or the primary key in
        order, whichever ``plan`` chose.  The settings last until the transaction ends: one of
        its own, or the caller's, for which they are put back."""
        if not connection.in_atomic_block:
            with transaction.atomic():
                self._begin_reading()
                yield
            return
        before = self._begin_reading()
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(before)),
                    [value for pair in before.items() for value in pair],
                )

    def _begin_reading(self) -> dict[str, str]:
        """Sequential scans off; the settings as they were, and how many rows the table holds."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT "  # noqa: S608 (only placeholders are joined in)
                + ", ".join(["current_setting(%s)"] * len(self.SETTINGS))
                + ", set_config('enable_seqscan', 'off', true),"
                # Workers cost more to start than a search's few milliseconds of work.
                " set_config('max_parallel_workers_per_gather', '0', true),"
                # Nor is compiling worth it (the checks' price would have it compile).
                " set_config('jit', 'off', true),"
                " (SELECT reltuples FROM pg_class WHERE oid = 'search_fulltext'::regclass)",
                list(self.SETTINGS),
            )
            row = cursor.fetchone()
        self.rows = max(float(row[-1]), 1.0)
        self.before = dict(zip(self.SETTINGS, row[: len(self.SETTINGS)], strict=True))
        return self.before

    def plan(self, *, walk: bool | None) -> None:
        """Listing matches (not ``walk``) also prices checks as they cost (``OPERATOR_COST``);
        the planner's own choice (None) has the price it had."""
        index_scan = "off" if walk is False else "on"
        bitmap_scan = "off" if walk else "on"
        operator_cost = self.OPERATOR_COST if walk is False else self.before["cpu_operator_cost"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('enable_indexscan', %s, true),"
                " set_config('enable_bitmapscan', %s, true),"
                " set_config('cpu_operator_cost', %s, true)",
                [index_scan, bitmap_scan, operator_cost],
            )

    def plan_for(self, expr: Expr) -> None:
        """Walk the ids only for a very common term: listing its matches costs more than
        checking the rows up to the thousandth.  The planner's own estimate of the matches
        (from the tsvector statistics) decides; its choice of plan does not."""
        matches, params = self.select(expr)
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {matches}", params)
            estimate = _plan_rows(cursor.fetchone()[0])
        self.plan(walk=estimate * estimate > self.WALK_COST_RATIO * COUNT_CAP * self.rows)

    def settle(self) -> None:
        """VACUUM marks the rewritten pages all-visible (the facet counts then read their index
        alone) and merges the GIN indexes' pending entries.  Not inside a transaction."""
        if connection.in_atomic_block:
            return
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) search_fulltext, search_searchfacet")

    def after_rebuild(self) -> None:
        # Fresh statistics let the planner tell a rare term (use the index) from a common one
        # (walk the ids in order and stop at a page).
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO search_fulltext (id, head, rest)"
                " SELECT id, head, rest FROM search_fulltext_rebuild ORDER BY id"
            )
            cursor.execute("DROP TABLE search_fulltext_rebuild")
            self.table = "search_fulltext"
            cursor.execute("ANALYZE search_fulltext")
            cursor.execute("ANALYZE search_searchentry")
            cursor.execute("ANALYZE search_searchfacet")


def _plan_rows(explained: object) -> float:
    """The estimated rows of an ``EXPLAIN (FORMAT JSON)`` answer."""
    plans = json.loads(explained) if isinstance(explained, str) else explained
    assert isinstance(plans, list)
    return float(plans[0]["Plan"]["Plan Rows"])


def _engine() -> _Engine:
    if connection.vendor == "postgresql":
        return _Postgres()
    if connection.vendor == "sqlite":
        return _Sqlite()
    raise NotImplementedError(f"database search does not support {connection.vendor}")


def _id_in(column: str, ids: Sequence[int]) -> tuple[str, list[int | list[int]]]:
    """``column`` among ``ids``: one array parameter on PostgreSQL (a thousand literals cost
    more to parse and plan than the lookup itself), a list of them on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# --- Typeahead keys -----------------------------------------------------------------------------


def prefix_key(text: str) -> str:
    """Folded text without spaces or control characters, as typeahead compares starts."""
    return "".join(
        char for char in fold(text) if not char.isspace() and unicodedata.category(char)[0] != "C"
    )[:PREFIX_KEY_CHARS]


# --- The backend --------------------------------------------------------------------------------


class DatabaseBackend:
    """``SearchBackend`` on the site's own database (see the module docstring)."""

    # --- Writing

    def index(self, documents: Iterable[SearchDocument]) -> None:
        with transaction.atomic():
            engine = _engine()
            engine.lock()
            for batch in _batched(documents, BATCH):
                self._write(engine, batch, serials=None)

    def remove(self, kind: str, object_ids: Iterable[int]) -> None:
        with transaction.atomic():
            engine = _engine()
            engine.lock()
            for chunk in _batched(sorted(set(object_ids)), BATCH):
                ids = list(
                    SearchEntry.objects.filter(kind=kind, object_id__in=chunk).values_list(
                        "id", flat=True
                    )
                )
                self._delete(engine, ids)

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        on_progress: Callable[[int], None] = lambda done: None,
    ) -> int:
        done = 0
        with transaction.atomic():
            engine = _engine()
            engine.lock()
            engine.begin_rebuild()
            SearchFacet.objects.all().delete()
            SearchEntry.objects.all().delete()
            serials: dict[int, int] = {}  # the table is empty: every date starts at serial 0
            for batch in _batched(documents, BATCH):
                self._write(engine, batch, serials=serials)
                done += len(batch)
                on_progress(done)
            engine.after_rebuild()
        engine.settle()
        return SearchEntry.objects.count()

    def _write(
        self,
        engine: _Engine,
        batch: Sequence[SearchDocument],
        *,
        serials: dict[int, int] | None,
    ) -> None:
        """Replace these documents' entries.  ``serials`` is the next free serial of each date
        (during a rebuild); without it the database is asked for each date's last one."""
        latest = {document.key: document for document in batch}  # the last of one key wins
        documents = list(latest.values())
        self._delete_existing(engine, documents)
        known = serials if serials is not None else {}
        entries: list[SearchEntry] = []
        rows: list[tuple[int, dict[str, _Terms]]] = []
        for document in documents:
            bucket = date_bucket(document.rank_date)
            if bucket not in known:
                known[bucket] = 0 if serials is not None else self._next_serial(bucket)
            entry_id = (bucket << SERIAL_BITS) | known[bucket]
            known[bucket] += 1
            entries.append(self._entry(entry_id, document))
            rows.append((entry_id, document_terms(document)))
        SearchEntry.objects.bulk_create(entries, batch_size=BATCH)
        SearchFacet.objects.bulk_create(
            itertools.chain.from_iterable(self._facets(entry) for entry in entries),
            batch_size=BATCH * 4,
        )
        # A full-text row may outlive its entry: ``flush`` (between transactional tests, or by
        # an operator) empties only the tables Django knows of.  It must not block this write.
        engine.delete([entry_id for entry_id, _terms in rows])
        engine.insert(rows)

    def _delete_existing(self, engine: _Engine, documents: Sequence[SearchDocument]) -> None:
        by_kind: dict[str, list[int]] = {}
        for document in documents:
            by_kind.setdefault(document.kind, []).append(document.object_id)
        wanted = Q()
        for kind, object_ids in by_kind.items():
            wanted |= Q(kind=kind, object_id__in=object_ids)
        ids = list(SearchEntry.objects.filter(wanted).values_list("id", flat=True))
        self._delete(engine, ids)

    def _delete(self, engine: _Engine, ids: Sequence[int]) -> None:
        for chunk in _batched(ids, BATCH):
            engine.delete(chunk)
            SearchFacet.objects.filter(entry_id__in=chunk).delete()
            SearchEntry.objects.filter(id__in=chunk).delete()

    def _next_serial(self, bucket: int) -> int:
        low, high = _bucket_range(bucket)
        last = SearchEntry.objects.filter(id__gte=low, id__lte=high).aggregate(last=Max("id"))[
            "last"
        ]
        return 0 if last is None else (last - low) + 1

    def _facets(self, entry: SearchEntry) -> Iterator[SearchFacet]:
        yield SearchFacet(entry_id=entry.id, name="kind", value=entry.kind)
        for name, values in entry.facets.items():
            if name != "kind":
                for value in dict.fromkeys(values):
                    yield SearchFacet(entry_id=entry.id, name=name, value=value[:FACET_VALUE_MAX])

    def _entry(self, entry_id: int, document: SearchDocument) -> SearchEntry:
        return SearchEntry(
            id=entry_id,
            kind=document.kind,
            object_id=document.object_id,
            title=document.title,
            reading=document.reading,
            keywords=document.keywords,
            body=document.body,
            url=document.url,
            facets={name: list(values) for name, values in document.facets.items()},
            access=list(document.access),
            rank_date=document.rank_date,
            title_key=prefix_key(document.title),
            reading_key=prefix_key(document.reading),
            romaji_key="".join(romaji_words(document.title, document.reading))[:PREFIX_KEY_CHARS],
        )

    # --- Asking

    def search(self, query: SearchQuery) -> SearchResults:
        parsed = parse_query(query.text)
        filters = filter_expr(query)
        if filters is None:
            return SearchResults(
                hits=[], total=0, total_capped=False, page=query.page, page_size=query.page_size
            )
        engine = _engine()
        with engine.reading():
            return self._search(engine, query, parsed, filters)

    def _search(
        self, engine: _Engine, query: SearchQuery, parsed: ParsedQuery, filters: Expr
    ) -> SearchResults:
        nothing = SearchResults(
            hits=[], total=0, total_capped=False, page=query.page, page_size=query.page_size
        )
        tiers: list[Expr]
        if parsed:
            head = terms_expr(parsed.terms, (HEAD,))
            matched: Expr = AllOf((terms_expr(parsed.terms, TEXT), filters))
            tiers = [AllOf((head, filters)), Without(matched, head)]
        else:
            matched = filters
            tiers = [filters]

        found, capped, facets = self._counts(engine, matched)
        if not found:
            suggestions = self._suggestions(engine, parsed, query, filters) if parsed else []
            return replace(nothing, suggestions=suggestions)

        if capped and engine.pages_from_counted:
            ids = self._capped_page_ids(engine, tiers, query, found)
        elif capped:
            ids = self._page_ids(engine, tiers, query)
        else:
            # Every match is in hand, in ranking order: ask which are head matches, and cut the
            # page from them here (no tier is walked looking for matches that are not there).
            if parsed:
                head_ids = set(self._among(engine, tiers[0], found))
                found = [i for i in found if i in head_ids] + [
                    i for i in found if i not in head_ids
                ]
            offset = (query.page - 1) * query.page_size
            ids = found[offset : offset + query.page_size]
        entries = SearchEntry.objects.only(*HIT_FIELDS).in_bulk(ids)
        return replace(
            nothing,
            # An entry replaced since its id was read is left out of this page.
            hits=[self._hit(entries[entry_id], parsed) for entry_id in ids if entry_id in entries],
            total=len(found),
            total_capped=capped,
            facets=facets,
        )

    def _ids(
        self, engine: _Engine, expr: Expr, *, limit: int, offset: int = 0, after: int | None = None
    ) -> list[int]:
        """The ids matching ``expr`` in order, from ``offset``, only those past ``after``."""
        matches, params = engine.select(expr)
        sql: str = matches
        values: list[str | int] = list(params)
        if after is not None:
            sql += f" AND {engine.id_column} > %s"
            values.append(after)
        with connection.cursor() as cursor:
            cursor.execute(
                f"{sql} ORDER BY {engine.id_column} LIMIT %s OFFSET %s", [*values, limit, offset]
            )
            return [row[0] for row in cursor.fetchall()]

    def _count(self, engine: _Engine, expr: Expr, *, cap: int) -> int:
        matches, params = engine.select(expr)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM ({matches} ORDER BY {engine.id_column} LIMIT %s) AS matched",  # noqa: S608
                [*params, cap],
            )
            return int(cursor.fetchone()[0])

    def _among(self, engine: _Engine, expr: Expr, ids: Sequence[int]) -> list[int]:
        """Which of ``ids`` (every match of the search, in order) match ``expr`` (a part of it)."""
        if connection.vendor == "sqlite":
            # FTS5 would look each listed rowid up on its own: reading the part's own matches,
            # no more of them than there are ids, is far quicker.
            wanted = set(ids)
            return [i for i in self._ids(engine, expr, limit=len(ids)) if i in wanted]
        # PostgreSQL fetches the listed rows by their key and checks only those.
        matches, params = engine.select(expr)
        where, more = _id_in(engine.id_column, ids)
        with connection.cursor() as cursor:
            cursor.execute(f"{matches} AND {where} ORDER BY {engine.id_column}", [*params, *more])
            return [row[0] for row in cursor.fetchall()]

    def _capped_page_ids(
        self, engine: _Engine, tiers: list[Expr], query: SearchQuery, found: list[int]
    ) -> list[int]:
        """One page when there are more matches than ``found`` (the first ``COUNT_CAP`` in
        ranking order).  The title matches among ``found`` are the first title matches of all,
        and the others the first of the rest: a page within them is cut from them.  Only when
        ``found`` holds too few title matches are later ones asked for — few there are then, so
        they are listed from the index rather than walked to through every other match.  A
        page further on is read tier by tier (``_page_ids``)."""
        offset = (query.page - 1) * query.page_size
        end = offset + query.page_size
        if len(tiers) == 1:
            return found[offset:end] if end <= len(found) else self._page_ids(engine, tiers, query)
        heads = self._among(engine, tiers[0], found)
        if len(heads) < end:
            engine.plan(walk=False)
            later = self._ids(engine, tiers[0], limit=end - len(heads), after=found[-1])
            engine.plan(walk=None)
            heads.extend(later)
            if len(heads) == end:
                return heads[offset:end]
            # ``heads`` is now every title match: the page goes on into the rest.
            head_set = set(heads)
            rest = [i for i in found if i not in head_set]
            if end - len(heads) > len(rest):
                return self._page_ids(engine, tiers, query)
            ordered = heads + rest
            return ordered[offset:end]
        return heads[offset:end]

    def _counts(
        self, engine: _Engine, matched: Expr
    ) -> tuple[list[int], bool, dict[str, list[FacetValue]]]:
        """The first ``COUNT_CAP`` matches in ranking order, whether there are more, and the
        facet counts over them (counted by the database in the narrow ``SearchFacet`` rows:
        reading a thousand entries' facets into Python would cost more than the whole search).
        Taking the first in ranking order lets PostgreSQL's planner walk the ids for a common
        term and stop at the cap, rather than list every match from the index."""
        engine.plan_for(matched)
        found = self._ids(engine, matched, limit=COUNT_CAP + 1)
        engine.plan(walk=None)
        capped = len(found) > COUNT_CAP
        found = found[:COUNT_CAP]
        if not found:
            return found, capped, {}
        where, params = _id_in("entry_id", found)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, value, count(*) FROM search_searchfacet"  # noqa: S608
                f" WHERE {where} GROUP BY name, value",
                params,
            )
            rows = cursor.fetchall()
        counters: dict[str, dict[str, int]] = {}
        for name, value, count in rows:
            if name in FACETS:
                counters.setdefault(name, {})[str(value)] = int(count)
        facets = {
            name: [
                FacetValue(value, count)
                for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            ]
            for name in FACETS
            if (counts := counters.get(name))
        }
        return found, capped, facets

    def _page_ids(self, engine: _Engine, tiers: list[Expr], query: SearchQuery) -> list[int]:
        """The ids of one page, the head matches before the rest: each tier is read from where
        the page starts in it, and a tier that ends before the page is counted, to know where the
        page starts in the next."""
        offset = (query.page - 1) * query.page_size
        if offset > OFFSET_MAX:
            return []
        wanted = query.page_size
        ids: list[int] = []
        for tier in tiers:
            found = self._ids(engine, tier, limit=wanted, offset=offset)
            ids.extend(found)
            wanted -= len(found)
            if wanted == 0:
                break
            if found:
                offset = 0
            elif offset:
                offset -= self._count(engine, tier, cap=offset)
        return ids

    def _hit(self, entry: SearchEntry, parsed: ParsedQuery) -> Hit:
        return Hit(
            kind=entry.kind,
            object_id=entry.object_id,
            title=entry.title,
            url=entry.url,
            title_html=highlight(entry.title, parsed),
            snippet_html=snippet(entry.body, entry.keywords, query=parsed),
        )

    def _suggestions(
        self, engine: _Engine, parsed: ParsedQuery, query: SearchQuery, filters: Expr
    ) -> list[str]:
        """Other queries that find something: the query without one of its terms, then titles
        whose start, reading or romaji begins like the query (or like the query's reading)."""
        suggestions: list[str] = []
        terms = parsed.terms
        if 1 < len(terms) <= SUB_QUERY_TERMS_MAX:
            for left_out in range(len(terms)):
                rest = terms[:left_out] + terms[left_out + 1 :]
                if self._count(engine, AllOf((terms_expr(rest, TEXT), filters)), cap=1):
                    suggestions.append(" ".join(term.text for term in rest))
        starts = [parsed.text]
        if any(is_kanji(char) for char in parsed.text):
            starts.append(reading_of(parsed.text))
        for start in starts:
            suggestions.extend(
                self.suggest(start, access=query.access, kinds=query.kinds, limit=SUGGESTIONS_MAX)
            )
        return list(dict.fromkeys(suggestions))[:SUGGESTIONS_MAX]

    def suggest(
        self, text: str, *, access: frozenset[str], kinds: tuple[str, ...] = (), limit: int = 8
    ) -> list[str]:
        typed = prefix_key(text)
        if not typed or not access or limit < 1:
            return []
        romaji = romaji_key(typed) if typed.isascii() else ""
        candidates: dict[int, str] = {}
        for column, start in (("title_key", typed), ("reading_key", typed), ("romaji_key", romaji)):
            if start:
                for entry_id, title in self._starting(column, start, access, kinds):
                    candidates[entry_id] = title
        # Shortest first, then in ranking order; one suggestion per title.
        ordered = sorted(candidates.items(), key=lambda item: (len(item[1]), item[0]))
        return list(dict.fromkeys(title for _, title in ordered))[:limit]

    def _starting(
        self, column: str, start: str, access: frozenset[str], kinds: tuple[str, ...]
    ) -> Iterator[tuple[int, str]]:
        """Entries whose ``column`` starts with ``start`` that the viewer may find, in key order,
        at most TYPEAHEAD_SCAN read."""
        # Everything starting with ``start`` sorts between it and it followed by the last code
        # point, compared by code point: SQLite's own comparison; on PostgreSQL the pattern
        # operators, which compare bytes (whatever the collation) and which the pattern index
        # Django makes beside the column's index is sorted by.
        if connection.vendor == "postgresql":
            at_least, below, order = "~>=~", "~<~", f"{column} USING ~<~"
        else:
            at_least, below, order = ">=", "<", column
        sql = (
            f"SELECT id, title, access FROM search_searchentry"  # noqa: S608
            f" WHERE {column} {at_least} %s AND {column} {below} %s"
        )
        params: list[str | int] = [start, start + "\U0010ffff"]
        if kinds:
            sql += f" AND kind IN ({', '.join(['%s'] * len(kinds))})"
            params.extend(kinds)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY {order} LIMIT %s", [*params, TYPEAHEAD_SCAN])
            rows = cursor.fetchall()
        for entry_id, title, stored_access in rows:
            entry_access = (
                json.loads(stored_access) if isinstance(stored_access, str) else stored_access
            )
            if access.intersection(entry_access):
                yield entry_id, title
