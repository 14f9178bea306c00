"""One database's part of ``make bench-search``; ``run_search.py`` starts it in its own process.

Measures ``DatabaseBackend`` (``BENCH_SEARCH_BACKEND`` names another class by its dotted path).
Run against a throwaway database only (``CAMPUS_VAR_DIR`` for SQLite, ``DATABASE_URL`` for
PostgreSQL — ``run_search.py`` sets them): it migrates the database, seeds the generated
documents through ``DatabaseBackend.rebuild()`` (timed, with a progress bar), loads the same
documents into a plain table (``bench_plain_documents``) for the LIKE/ILIKE scan, then for every
query of the oracle file:

1. pages through the backend's whole match set and compares it with the oracle's known matches
   (recall, false positives, and any invite-only circle that leaked);
2. times the first page a resident waits for — ``search()`` with page_size 20, facets and the
   capped count included — once to warm up, then ``--repeat`` times;
3. does the same for the scan: its whole match set (for its own recall), then the first page
   (title matches first, soonest first, 20 rows) and a count capped like the backend's, timed.

Writes everything to ``--out`` (JSON).
"""

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus_social.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402
from search_corpus import documents  # noqa: E402
from tqdm import tqdm  # noqa: E402

from campus_social.search.backends import SearchBackend  # noqa: E402
from campus_social.search.documents import (  # noqa: E402
    COUNT_CAP,
    PUBLIC,
    SearchDocument,
    SearchQuery,
)

PAGE_SIZE = 20  # what the search page shows
PLAIN_TABLE = "bench_plain_documents"
VISITOR = frozenset({PUBLIC})
# The backend measured; another one (a stand-in while developing the bench) by its dotted path.
BACKEND = os.environ.get(
    "BENCH_SEARCH_BACKEND", "campus_social.search.backends.database.DatabaseBackend"
)


def milliseconds(run: Callable[[], object]) -> float:
    started = time.perf_counter_ns()
    run()
    return (time.perf_counter_ns() - started) / 1e6


# --- seeding ---------------------------------------------------------------------------------


def seed(backend: SearchBackend, docs: list[SearchDocument], vendor: str) -> float:
    """Rebuild the index from ``docs``; the seconds it took."""
    with tqdm(total=len(docs), desc=f"seeding {vendor}", unit=" docs", smoothing=0.1) as bar:

        def progress(done: int) -> None:
            bar.update(done - bar.n)

        started = time.perf_counter()
        indexed = backend.rebuild(iter(docs), on_progress=progress)
        seconds = time.perf_counter() - started
        bar.update(len(docs) - bar.n)
    if indexed != len(docs):
        raise SystemExit(f"rebuild() answered {indexed}, expected {len(docs)}")
    return seconds


def load_plain_table(docs: list[SearchDocument]) -> float:
    """The documents as plain rows, for the scan: what a search without an index reads."""
    started = time.perf_counter()
    timestamp = "TIMESTAMP WITH TIME ZONE" if connection.vendor == "postgresql" else "TEXT"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PLAIN_TABLE}")
        cursor.execute(
            f"CREATE TABLE {PLAIN_TABLE} (doc_key VARCHAR(40) PRIMARY KEY, title TEXT NOT NULL,"
            " reading TEXT NOT NULL, keywords TEXT NOT NULL, body TEXT NOT NULL,"
            f" rank_date {timestamp} NULL, public BOOLEAN NOT NULL)"
        )
        rows = [
            (
                doc.key,
                doc.title,
                doc.reading,
                doc.keywords,
                doc.body,
                doc.rank_date.isoformat() if doc.rank_date else None,
                PUBLIC in doc.access,
            )
            for doc in docs
        ]
        for start in range(0, len(rows), 5000):
            cursor.executemany(
                f"INSERT INTO {PLAIN_TABLE} VALUES (%s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
                rows[start : start + 5000],
            )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {PLAIN_TABLE}")
    return time.perf_counter() - started


# --- sizes -----------------------------------------------------------------------------------


def index_size() -> dict[str, Any]:
    """Bytes held by the search app's tables and their indexes (names starting ``search``)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'm')"
                " AND c.relname LIKE 'search%%' ORDER BY 2 DESC"
            )
            relations = {name: int(size) for name, size in cursor.fetchall()}
            cursor.execute("SELECT pg_database_size(current_database())")
            database_bytes = int(cursor.fetchone()[0])
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute(
                "SELECT m.tbl_name, SUM(d.pgsize) FROM dbstat d JOIN sqlite_master m"
                " ON m.name = d.name WHERE m.tbl_name LIKE 'search%%'"
                " GROUP BY m.tbl_name ORDER BY 2 DESC"
            )
            relations = {name: int(size) for name, size in cursor.fetchall()}
            cursor.execute("PRAGMA page_count")
            pages = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA page_size")
            database_bytes = pages * int(cursor.fetchone()[0])
    return {
        "search_bytes": sum(relations.values()),
        "relations": relations,
        "database_bytes": database_bytes,
    }


# --- the backend -----------------------------------------------------------------------------


def backend_matches(backend: SearchBackend, text: str, page_size: int) -> tuple[set[str], int]:
    """Every key the backend finds for ``text`` (paged through), and how many pages it took.
    Large pages: a deep page costs the database about as much as reading every match."""
    found: set[str] = set()
    page = 1
    while True:
        results = backend.search(
            SearchQuery(text=text, access=VISITOR, page=page, page_size=page_size)
        )
        found.update(f"{hit.kind}:{hit.object_id}" for hit in results.hits)
        if len(results.hits) < page_size:
            return found, page
        page += 1


def where_time_goes(run: Callable[[], object]) -> dict[str, Any]:
    """One more (untimed) first page, its SQL statements timed one by one: how many there are
    and how much of the time the database takes (the rest is Python: parsing, highlighting)."""
    statements: list[float] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter_ns() - started) / 1e6)

    with connection.execute_wrapper(timed):
        total = milliseconds(run)
    return {
        "statements": len(statements),
        "sql_ms": round(sum(statements), 2),
        "total_ms": round(total, 2),
        "slowest_statement_ms": round(max(statements, default=0.0), 2),
    }


def first_page(backend: SearchBackend, text: str) -> Callable[[], object]:
    query = SearchQuery(text=text, access=VISITOR, page=1, page_size=PAGE_SIZE)
    return lambda: backend.search(query)


# --- the scan --------------------------------------------------------------------------------


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def scan_where(text: str) -> tuple[str, list[bool | str]]:
    """Each whitespace-separated word of the query as typed, in any of the four columns."""
    operator = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    conditions = ["public = %s"]
    params: list[bool | str] = [True]
    for term in text.split():
        pattern = _like(term)
        conditions.append(
            "("
            + " OR ".join(
                f"{column} {operator} %s ESCAPE '\\'"
                for column in ("title", "reading", "keywords", "body")
            )
            + ")"
        )
        params.extend([pattern] * 4)
    return " AND ".join(conditions), params


def scan_matches(text: str) -> set[str]:
    where, params = scan_where(text)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT doc_key FROM {PLAIN_TABLE} WHERE {where}", params)  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def scan_first_page(text: str) -> Callable[[], object]:
    """The scan's version of a first page: 20 rows, title matches first then soonest, and a count
    capped like the backend's.  (No facets: that only flatters the scan.)"""
    where, params = scan_where(text)
    operator = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    first_term = _like(text.split()[0]) if text.split() else "%"
    # Only the bench's own constants are spliced in; the query's words are parameters.
    page_sql = (
        f"SELECT doc_key, title FROM {PLAIN_TABLE} WHERE {where}"  # noqa: S608
        f" ORDER BY CASE WHEN title {operator} %s ESCAPE '\\' THEN 0 ELSE 1 END,"
        f" rank_date IS NULL, rank_date LIMIT {PAGE_SIZE}"
    )
    count_sql = (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {PLAIN_TABLE} WHERE {where}"  # noqa: S608
        f" LIMIT {COUNT_CAP}) capped"
    )

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(page_sql, [*params, first_term])
            cursor.fetchall()
            cursor.execute(count_sql, params)
            cursor.fetchall()

    return run


# --- one query -------------------------------------------------------------------------------


def compare(found: set[str], expected: set[str], private: set[str]) -> dict[str, Any]:
    missing = expected - found
    extra = found - expected
    return {
        "found": len(found),
        "recall": round(1 - len(missing) / len(expected), 4) if expected else 1.0,
        "missing": len(missing),
        "false_positives": len(extra),
        "private_leaked": len(found & private),
        "missing_sample": sorted(missing)[:5],
        "false_positive_sample": sorted(extra)[:5],
    }


def measure_query(
    backend: SearchBackend,
    text: str,
    expected: set[str],
    private: set[str],
    *,
    repeat: int,
    scan_repeat: int,
    full_page_size: int,
) -> dict[str, Any]:
    started = time.perf_counter()
    found, pages = backend_matches(backend, text, full_page_size)
    full_seconds = time.perf_counter() - started
    run = first_page(backend, text)
    run()  # warm-up
    timings = [milliseconds(run) for _ in range(repeat)]
    breakdown = where_time_goes(run)
    first = backend.search(SearchQuery(text=text, access=VISITOR, page=1, page_size=PAGE_SIZE))
    scan_run = scan_first_page(text)
    scan_run()
    scan_timings = [milliseconds(scan_run) for _ in range(scan_repeat)]
    return {
        "query": text,
        "expected": len(expected),
        "backend": compare(found, expected, private)
        | {
            "ms": timings,
            "breakdown": breakdown,
            "full_set_pages": pages,
            "full_set_seconds": round(full_seconds, 2),
            "total": first.total,
            "total_capped": first.total_capped,
        },
        "scan": compare(scan_matches(text), expected, private) | {"ms": scan_timings},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, required=True)
    parser.add_argument("--oracle", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--scan-repeat", type=int, default=3)
    parser.add_argument("--full-page-size", type=int, default=10_000)
    args = parser.parse_args()

    vendor = connection.vendor
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_seconds = time.perf_counter() - started
    docs = list(documents(args.documents))
    private = {doc.key for doc in docs if PUBLIC not in doc.access}
    backend: SearchBackend = import_string(BACKEND)()
    build_seconds = seed(backend, docs, vendor)
    size = index_size()
    print(f"{vendor}: indexed in {build_seconds:.1f} s; loading the plain table for the scan")
    plain_seconds = load_plain_table(docs)
    del docs

    oracle = json.loads(args.oracle.read_text())
    results: dict[str, list[dict[str, Any]]] = {}
    total = sum(len(queries) for queries in oracle["classes"].values())
    with tqdm(total=total, desc=f"querying {vendor}", unit=" queries") as bar:
        for name, queries in oracle["classes"].items():
            results[name] = []
            for entry in queries:
                results[name].append(
                    measure_query(
                        backend,
                        entry["query"],
                        set(entry["matches"]),
                        private,
                        repeat=args.repeat,
                        scan_repeat=args.scan_repeat,
                        full_page_size=args.full_page_size,
                    )
                )
                bar.update()
    args.out.write_text(
        json.dumps(
            {
                "vendor": vendor,
                "database_version": _database_version(),
                "documents": args.documents,
                "migrate_seconds": round(migrate_seconds, 1),
                "build_seconds": round(build_seconds, 1),
                "plain_table_seconds": round(plain_seconds, 1),
                "size": size,
                "repeat": args.repeat,
                "scan_repeat": args.scan_repeat,
                "classes": results,
            },
            ensure_ascii=False,
            indent=1,
        )
    )


def _database_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SHOW server_version"
            if connection.vendor == "postgresql"
            else "SELECT sqlite_version()"
        )
        return str(cursor.fetchone()[0])


if __name__ == "__main__":
    main()
