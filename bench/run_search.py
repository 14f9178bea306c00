"""``make bench-search``: the database search backend at 100,000 documents, on SQLite and
PostgreSQL, against the known matches and a plain LIKE/ILIKE scan of the same data.

1. Generate the documents (``search_corpus``: offerings and circles, fixed seed) and find the
   known matches of every query of the fixed set (``search_oracle``: six classes, brute force in
   Python, no backend), written to ``var/bench/search-oracle.json``.
2. For each database, in its own process (``search_measure.py``) on a throwaway database:
   migrate, seed through ``rebuild()``, and measure every query — the whole match set against
   the oracle, the first page timed, and the scan beside it.
   - SQLite: a fresh file under ``var/bench/search-sqlite/``;
   - PostgreSQL: ``BENCH_POSTGRES_URL`` when set, else the database ``campus_bench_search`` on the
     server of ``DATABASE_URL`` (when that is PostgreSQL) or on the local default server
     (``postgres://postgres@127.0.0.1:5432/``).  The bench drops and creates that database: never
     point it at one you keep.  When no server answers, PostgreSQL is skipped with a message.
3. Print the tables (markdown) and write ``var/bench/search.json`` (and ``search-<time>.json``).

Options: ``--documents N`` (100,000; a small N for a quick run), ``--databases sqlite,postgresql``,
``--repeat`` (timed first pages per query, 7), ``--scan-repeat`` (3).
"""

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search_corpus import documents  # noqa: E402
from search_oracle import QUERIES, Oracle  # noqa: E402

OUT_DIR = ROOT / "var" / "bench"
PY = sys.executable
DEFAULT_POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432/"
BENCH_POSTGRES_DATABASE = "campus_bench_search"

TARGET_RECALL = 1.0
TARGET_P95_MS = 50.0
TARGET_SPEEDUP = 50.0


# --- the known matches -----------------------------------------------------------------------


def write_oracle(count: int, path: Path) -> dict[str, Any]:
    started = time.perf_counter()
    print(f"generating {count:,} documents and their known matches (search_oracle.py)")
    oracle = Oracle(documents(count))
    classes = {
        name: [{"query": query, "matches": sorted(oracle.matches(query))} for query in queries]
        for name, queries in QUERIES.items()
    }
    path.write_text(json.dumps({"documents": count, "classes": classes}, ensure_ascii=False))
    seconds = time.perf_counter() - started
    print(f"  {len(oracle.keys):,} public documents; oracle in {seconds:.0f} s")
    return {"seconds": round(seconds, 1), "public_documents": len(oracle.keys)}


# --- databases -------------------------------------------------------------------------------


def child_env(var_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "CAMPUS_PRODUCTION", "DEBUG"}
    }
    env.update(
        CAMPUS_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="campus_social.settings",
        LOG_LEVEL="WARNING",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def postgres_url() -> str:
    """The bench's own PostgreSQL database (see the module docstring)."""
    explicit = os.environ.get("BENCH_POSTGRES_URL")
    if explicit:
        return explicit
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        server = DEFAULT_POSTGRES_SERVER
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{BENCH_POSTGRES_DATABASE}", "", ""))


def recreate_postgres(url: str) -> str | None:
    """Drop and create the bench database; None when it is done, else why not."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as admin_connection:
            admin_connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            admin_connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        return f"no PostgreSQL at {parts.hostname}:{parts.port or 5432} ({str(error).strip()})"
    return None


def run_database(database: str, args: argparse.Namespace, oracle_path: Path) -> dict[str, Any]:
    print(f"\n== {database} ==", flush=True)
    var_dir = OUT_DIR / f"search-{database}"
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    database_url = None
    if database == "postgresql":
        database_url = postgres_url()
        why_not = recreate_postgres(database_url)
        if why_not:
            print(f"  skipped: {why_not}")
            return {"database": database, "skipped": why_not}
        print(f"  database: {urlsplit(database_url).path.lstrip('/')} (dropped and created)")
    out = var_dir / "result.json"
    load_before = os.getloadavg()[0]
    command = [
        PY,
        str(ROOT / "bench" / "search_measure.py"),
        "--documents",
        str(args.documents),
        "--oracle",
        str(oracle_path),
        "--out",
        str(out),
        "--repeat",
        str(args.repeat),
        "--scan-repeat",
        str(args.scan_repeat),
    ]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, env=child_env(var_dir, database_url))  # noqa: S603
    if completed.returncode != 0:
        print(f"  the measurement failed ({completed.returncode}): see above")
        return {"database": database, "skipped": "the measurement failed"}
    result: dict[str, Any] = json.loads(out.read_text())
    result["database"] = database
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return result


# --- figures ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.95 for p95)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _median(values: list[float]) -> float:
    return percentile(values, 0.5)


def summarise(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per class: latency percentiles over every timed first page, and correctness summed
    over the class's queries (recall = known matches found ÷ known matches)."""
    summary = {}
    for name, queries in result["classes"].items():
        row: dict[str, Any] = {"queries": len(queries)}
        for side in ("backend", "scan"):
            timings = [ms for query in queries for ms in query[side]["ms"]]
            expected = sum(query["expected"] for query in queries)
            missing = sum(query[side]["missing"] for query in queries)
            row[side] = {
                "p50_ms": round(_median(timings), 2),
                "p95_ms": round(percentile(timings, 0.95), 2),
                "p99_ms": round(percentile(timings, 0.99), 2),
                "max_ms": round(max(timings), 2),
                "recall": round(1 - missing / expected, 4) if expected else 1.0,
                "missing": missing,
                "false_positives": sum(query[side]["false_positives"] for query in queries),
                "private_leaked": sum(query[side]["private_leaked"] for query in queries),
                "queries_not_exact": [
                    query["query"]
                    for query in queries
                    if query[side]["missing"] or query[side]["false_positives"]
                ],
            }
        breakdowns = [query["backend"]["breakdown"] for query in queries]
        row["backend"]["sql_share"] = round(
            sum(b["sql_ms"] for b in breakdowns) / sum(b["total_ms"] for b in breakdowns), 2
        )
        row["backend"]["statements"] = max(b["statements"] for b in breakdowns)
        row["speedup_at_median"] = round(row["scan"]["p50_ms"] / row["backend"]["p50_ms"], 1)
        row["slowest_queries"] = sorted(
            ((query["query"], round(_median(query["backend"]["ms"]), 2)) for query in queries),
            key=lambda pair: -pair[1],
        )[:3]
        summary[name] = row
    return summary


def targets(summary: dict[str, dict[str, Any]]) -> dict[str, bool]:
    rows = summary.values()
    return {
        "recall_and_no_false_positives": all(
            row["backend"]["recall"] >= TARGET_RECALL
            and row["backend"]["false_positives"] == 0
            and row["backend"]["private_leaked"] == 0
            for row in rows
        ),
        "p95_under_50_ms": all(row["backend"]["p95_ms"] < TARGET_P95_MS for row in rows),
        "speedup_50x_at_median": all(row["speedup_at_median"] >= TARGET_SPEEDUP for row in rows),
    }


def print_tables(results: list[dict[str, Any]]) -> None:
    for result in results:
        if "skipped" in result:
            print(f"\n### {result['database']}: skipped — {result['skipped']}")
            continue
        size = result["size"]
        print(
            f"\n### {result['database']} — {result['documents']:,} documents, index built in "
            f"{result['build_seconds']:,.1f} s, search tables {_mb(size['search_bytes'])} "
            f"(whole database {_mb(size['database_bytes'])})\n"
        )
        print(
            "| class | queries | p50 ms | p95 ms | p99 ms | recall | false pos. | "
            "scan p50 ms | scan p95 ms | scan recall | scan false pos. | speed-up at median | "
            "time in SQL | statements |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, row in result["summary"].items():
            backend, scan = row["backend"], row["scan"]
            leaked = f" ({backend['private_leaked']} private!)" if backend["private_leaked"] else ""
            print(
                f"| {name} | {row['queries']} | {backend['p50_ms']:.1f} | {backend['p95_ms']:.1f} "
                f"| {backend['p99_ms']:.1f} | {backend['recall']:.4f} | "
                f"{backend['false_positives']:,}{leaked} | {scan['p50_ms']:.0f} | "
                f"{scan['p95_ms']:.0f} | {scan['recall']:.3f} | {scan['false_positives']:,} | "
                f"{row['speedup_at_median']:,.0f}× | {backend['sql_share']:.0%} | "
                f"≤ {backend['statements']} |"
            )
        for name, row in result["summary"].items():
            wrong = row["backend"]["queries_not_exact"]
            if wrong:
                print(f"- {name}: not exact for {', '.join(map(repr, wrong))}")
        verdict = result["targets"]
        print(
            f"\ntargets: recall 1.0 and no false positives: {_met(verdict['recall_and_no_false_positives'])}; "
            f"p95 < 50 ms: {_met(verdict['p95_under_50_ms'])}; "
            f"≥ 50× the scan at the median: {_met(verdict['speedup_50x_at_median'])}"
        )


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def _met(flag: bool) -> str:
    return "MET" if flag else "NOT MET"


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    packages = {}
    for name in ("django", "psycopg", "sudachipy", "sudachidict-core", "snowballstemmer"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            packages[name] = metadata.version(name)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "packages": packages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--scan-repeat", type=int, default=3)
    args = parser.parse_args()
    databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        raise SystemExit(f"unknown database(s): {', '.join(sorted(unknown))}")

    started = time.time()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    oracle_path = OUT_DIR / "search-oracle.json"
    oracle = write_oracle(args.documents, oracle_path)
    results = []
    for database in databases:
        result = run_database(database, args, oracle_path)
        if "classes" in result:
            result["summary"] = summarise(result)
            result["targets"] = targets(result["summary"])
        results.append(result)
    print_tables(results)
    report = {
        "started": datetime.fromtimestamp(started, UTC).isoformat(),
        "seconds": round(time.time() - started, 1),
        "machine": machine(),
        "documents": args.documents,
        "oracle": oracle,
        "queries": QUERIES,
        "targets": {
            "recall": TARGET_RECALL,
            "false_positives": 0,
            "p95_ms": TARGET_P95_MS,
            "speedup_at_median": TARGET_SPEEDUP,
        },
        "results": results,
    }
    stamp = datetime.fromtimestamp(started, UTC).strftime("%Y%m%d-%H%M%S")
    text = json.dumps(report, indent=1, ensure_ascii=False)
    (OUT_DIR / f"search-{stamp}.json").write_text(text)
    (OUT_DIR / "search.json").write_text(text)
    print(
        f"\n{report['seconds']:.0f} s; results in var/bench/search.json (and search-{stamp}.json)"
    )


if __name__ == "__main__":
    main()
