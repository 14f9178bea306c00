"""``make bench-chat``: chat delivery under load, Daphne against a bare websockets reference.

One run, one machine, everything on 127.0.0.1:

1. a fresh SQLite database under ``BENCH_DIR`` (``manage.py migrate``, then ``setup_room.py``:
   1,000 signed-in residents and a room each for 10, 100 and 500 clients), kept as a template
   that every server set-up starts from;
2. for each server set-up in ``BENCH_CONFIGS`` — ``reference`` (``reference_server.py``),
   ``inmemory`` (one Daphne, in-memory layer), ``redis`` (one Daphne, Redis layer),
   ``redis-2`` (two Daphne processes on two ports, clients split between them) — start the
   servers, run ``chat_load.py`` against them (its own process), stop them;
3. print the tables and write everything to ``var/bench/chat-<time>.json`` (and
   ``chat-latest.json``), with the targets and whether they were met.

Environment: ``BENCH_CONFIGS``, ``BENCH_PLAN`` (JSON ``{"N": [msg/s, …]}``),
``BENCH_STEP_SECONDS`` (8), ``BENCH_BUDGET_SECONDS`` (540: the load steps are cut to fit),
``BENCH_REDIS_URL`` (``redis://127.0.0.1:6379/2``; the bench deletes the ``cs*`` keys of that
database before each Redis set-up), ``BENCH_DIR`` (``/tmp/campus-bench``, wiped first).
Processes are started here and always stopped here, on errors and Ctrl-C too.
"""

import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DAPHNE = str(Path(PY).with_name("daphne"))
BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/campus-bench"))  # noqa: S108 - a scratch dir
OUT_DIR = ROOT / "var" / "bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
STEP_SECONDS = float(os.environ.get("BENCH_STEP_SECONDS", "8"))
BUDGET_SECONDS = float(os.environ.get("BENCH_BUDGET_SECONDS", "540"))
CONFIGS = os.environ.get("BENCH_CONFIGS", "reference,inmemory,redis,redis-2").split(",")
PLAN: dict[str, list[float]] = json.loads(
    os.environ.get(
        "BENCH_PLAN",
        '{"10": [25, 50, 100, 150], "100": [10, 25, 50, 75, 100], "500": [4, 10, 20]}',
    )
)
RESIDENTS = 1000
IDLE_SOCKETS = 1000
# Set-ups named …-proto or …-hub serve the prototype consumer of bench/prototype_asgi.py
# (not run by default).
PROTOTYPE_APP = "bench.prototype_asgi:application"

QUIET_CORES = 0.3
QUIET_WAIT = float(os.environ.get("BENCH_QUIET_WAIT", "15"))

TARGET_DELIVERIES = 5000
TARGET_P99_MS = 100.0
TARGET_CPU_RATIO = 15.0
TARGET_MB_PER_1000 = 40.0

SERVERS: list[subprocess.Popen[bytes]] = []


# --- processes -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not start in {seconds:g} s")


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    SERVERS.append(process)
    return process


def stop_all() -> None:
    for process in SERVERS:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in SERVERS:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    SERVERS.clear()


def django_env(*, redis: bool) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CAMPUS_PRODUCTION", "DEBUG"}
    }
    env.update(
        CAMPUS_VAR_DIR=str(BENCH_DIR),
        DJANGO_SETTINGS_MODULE="campus_social.settings",
        MESSAGE_RATE="1000000/min",
        MESSAGE_RATE_NEW_ACCOUNT="1000000/min",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    if redis:
        env["REDIS_URL"] = REDIS_URL
    return env


def run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603


def busy_cores(seconds: float = 1.0) -> float:
    """How many cores the whole machine kept busy over the next ``seconds``."""

    def busy() -> float:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")

    before = busy()
    time.sleep(seconds)
    return (busy() - before) / seconds


def wait_for_quiet() -> float:
    """Wait (at most QUIET_WAIT seconds) until the machine is nearly idle; the load last seen.

    The bench shares the machine with whatever else runs (other people's test suites): a busy
    machine is waited out a little, then measured anyway and the load recorded with the result.
    """
    until = time.monotonic() + QUIET_WAIT
    load = busy_cores()
    while load > QUIET_CORES and time.monotonic() < until:
        load = busy_cores()
    if load > QUIET_CORES:
        print(f"  the machine is busy ({load:.1f} cores in use by others): measuring anyway")
    return round(load, 2)


# --- database and redis ----------------------------------------------------------------------


def prepare_database() -> Path:
    shutil.rmtree(BENCH_DIR, ignore_errors=True)
    BENCH_DIR.mkdir(parents=True)
    env = django_env(redis=False)
    print(f"bench database: {BENCH_DIR / 'campus.sqlite3'} (migrate, then setup_room.py)")
    run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    setup = BENCH_DIR / "setup.json"
    rooms = ",".join(PLAN)
    run(
        [
            PY,
            "bench/setup_room.py",
            "--residents",
            str(RESIDENTS),
            "--rooms",
            rooms,
            "--out",
            str(setup),
        ],
        env,
    )
    database = BENCH_DIR / "campus.sqlite3"
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(database, BENCH_DIR / "template.sqlite3")
    return setup


def reset_database() -> None:
    for suffix in ("-wal", "-shm"):
        (BENCH_DIR / f"campus.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.copyfile(BENCH_DIR / "template.sqlite3", BENCH_DIR / "campus.sqlite3")


def redis_reset() -> int | None:
    """Delete the project's keys (``cs*``) in the bench Redis database; the server's pid."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        return None
    keys = list(client.scan_iter(match="cs*", count=1000))
    if keys:
        client.delete(*keys)
    pid = int(client.info("server")["process_id"])
    return pid if Path(f"/proc/{pid}/stat").exists() else None


# --- one server set-up -----------------------------------------------------------------------


@contextlib.contextmanager
def servers(config: str) -> Iterator[tuple[str, list[str], list[int], list[str]]]:
    """Start the servers of a set-up: (mode, urls, pids, aux pids)."""
    log = BENCH_DIR / f"{config}.log"
    try:
        if config == "reference":
            port = free_port()
            process = start(
                [PY, "bench/reference_server.py", "--port", str(port)], dict(os.environ), log
            )
            wait_for_port(port, process)
            yield "reference", [f"ws://127.0.0.1:{port}/"], [process.pid], []
            return
        redis = config.startswith("redis")
        aux: list[str] = []
        if redis:
            redis_pid = redis_reset()
            if redis_pid is not None:
                aux.append(f"redis={redis_pid}")
        reset_database()
        count = 2 if config.startswith("redis-2") else 1
        prototype = config.endswith(("-proto", "-hub"))
        app = PROTOTYPE_APP if prototype else "campus_social.asgi:application"
        env = django_env(redis=redis)
        if config.endswith("-hub"):
            env["BENCH_PROTO_HUB"] = "1"
        urls, pids = [], []
        for _ in range(count):
            port = free_port()
            process = start(
                [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "-v", "0", app],
                env,
                log,
            )
            wait_for_port(port, process)
            urls.append(f"ws://127.0.0.1:{port}/ws/v1/")
            pids.append(process.pid)
        yield "daphne", urls, pids, aux
    finally:
        stop_all()


def run_config(config: str, setup: Path, deadline: float) -> dict[str, Any]:
    print(f"\n== {config} ==", flush=True)
    if config.startswith("redis") and redis_reset() is None:
        print(f"  skipped: no Redis at {REDIS_URL}")
        return {"config": config, "skipped": f"no Redis at {REDIS_URL}"}
    out = BENCH_DIR / f"{config}.json"
    background = wait_for_quiet()
    with servers(config) as (mode, urls, pids, aux):
        command = [
            PY,
            "bench/chat_load.py",
            "--mode",
            mode,
            "--urls",
            ",".join(urls),
            "--pids",
            ",".join(map(str, pids)),
            "--setup",
            str(setup),
            "--plan",
            json.dumps(PLAN),
            "--step-seconds",
            str(STEP_SECONDS),
            "--memory",
            str(IDLE_SOCKETS),
            "--deadline",
            str(deadline),
            "--out",
            str(out),
            "--aux-pids",
            *aux,
        ]
        try:
            run(command, dict(os.environ))
        except subprocess.CalledProcessError as error:
            print(f"  the load generator failed ({error.returncode}): see above")
            return {"config": config, "skipped": "the load generator failed"}
    result: dict[str, Any] = json.loads(out.read_text())
    result["config"] = config
    result["background_cores_before"] = background
    return result


# --- report ----------------------------------------------------------------------------------


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
    for name in (
        "django",
        "channels",
        "channels-redis",
        "daphne",
        "twisted",
        "autobahn",
        "websockets",
        "redis",
        "msgpack",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            packages[name] = metadata.version(name)
    redis_version = None
    with contextlib.suppress(Exception):
        import redis

        redis_version = redis.Redis.from_url(REDIS_URL).info("server")["redis_version"]
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "packages": packages,
        "redis_server": redis_version,
    }


def _step_key(step: dict[str, Any], n: int) -> tuple[int, float]:
    return n, step["rate"]


def evaluate(results: list[dict[str, Any]]) -> dict[str, Any]:
    by_config = {r["config"]: r for r in results if "runs" in r}
    reference_cpu = {
        _step_key(step, run["clients"]): step["server_cpu_us_per_delivery"]
        for run in by_config.get("reference", {}).get("runs", [])
        for step in run["steps"]
    }
    for result in by_config.values():
        for run in result["runs"]:
            for step in run["steps"]:
                ref = reference_cpu.get(_step_key(step, run["clients"]))
                mine = step["server_cpu_us_per_delivery"]
                step["cpu_vs_reference"] = round(mine / ref, 1) if ref and mine else None

    targets: dict[str, Any] = {}
    for config, found in by_config.items():
        if config == "reference":
            continue
        steps = [s for run in found["runs"] if run["clients"] == 100 for s in run["steps"]]
        good = [
            s
            for s in steps
            if s["offered_deliveries_per_s"] >= TARGET_DELIVERIES
            and s["lost"] == 0
            and s["errors"] == 0
            and s["p99_ms"] is not None
            and s["p99_ms"] < TARGET_P99_MS
        ]
        at_target = next(
            (s for s in steps if s["offered_deliveries_per_s"] >= TARGET_DELIVERIES), None
        )
        within_latency = [
            s
            for s in steps
            if s["lost"] == 0 and s["p99_ms"] is not None and s["p99_ms"] < TARGET_P99_MS
        ]
        targets[config] = {
            "throughput_met": bool(good),
            "best_step_within_p99_and_no_loss": (
                max(within_latency, key=lambda s: s["offered_deliveries_per_s"])
                if within_latency
                else None
            ),
            "step_at_5000": at_target,
            "cpu_ratio_at_n100": [
                {"rate": s["rate"], "ratio": s.get("cpu_vs_reference")} for s in steps
            ],
            "cpu_met": bool(steps)
            and all(
                s.get("cpu_vs_reference") is not None and s["cpu_vs_reference"] <= TARGET_CPU_RATIO
                for s in steps
            ),
            "memory_mb_per_1000": found.get("memory", {}).get("mb_per_1000"),
            "memory_met": (found.get("memory", {}).get("mb_per_1000") or 1e9) <= TARGET_MB_PER_1000,
        }
    return targets


def print_tables(results: list[dict[str, Any]], targets: dict[str, Any]) -> None:
    print(
        "\nconfig      N    msg/s  offered/s  deliv/s   p50 ms   p95 ms   p99 ms  lost  late  "
        "µs CPU/deliv  ×ref  +redis µs  gen  others"
    )
    for result in results:
        if "runs" not in result:
            print(f"{result['config']:11} skipped: {result.get('skipped')}")
            continue
        for run in result["runs"]:
            for step in run["steps"]:
                redis_us = step["aux_cpu_us_per_delivery"].get("redis")
                print(
                    f"{result['config']:11} {run['clients']:<4} {step['rate']:>5g} "
                    f"{step['offered_deliveries_per_s']:>10g} {step['delivered_per_s']:>8.0f} "
                    f"{_ms(step['p50_ms'])} {_ms(step['p95_ms'])} {_ms(step['p99_ms'])} "
                    f"{step['lost']:>5} {step['late']:>5} "
                    f"{_num(step['server_cpu_us_per_delivery'], 12)} "
                    f"{_num(step.get('cpu_vs_reference'), 5)} {_num(redis_us, 10)} "
                    f"{step['generator_cpu_share']:>4.0%} {step['other_processes_cpu_share']:>7.0%}"
                )
            if run["stopped"]:
                print(f"{result['config']:11} {run['clients']:<4} stopped {run['stopped']}")
    print("\nmemory per 1,000 idle signed-in sockets (VmRSS growth):")
    for result in results:
        if "memory" in result:
            print(f"  {result['config']:10} {result['memory']['mb_per_1000']:>6} MB")
    print("\ntargets (N = 100):")
    for config, verdict in targets.items():
        best = verdict["best_step_within_p99_and_no_loss"]
        best_text = (
            f"{best['offered_deliveries_per_s']:g}/s (p99 {best['p99_ms']} ms)" if best else "none"
        )
        ratios = ", ".join(f"{r['rate']:g}/s ×{r['ratio']}" for r in verdict["cpu_ratio_at_n100"])
        print(
            f"  {config:10} ≥5,000 deliv/s, p99<100 ms, no loss: {_yes(verdict['throughput_met'])} "
            f"(best within p99 & no loss: {best_text})\n"
            f"  {'':10} CPU ≤15× reference: {_yes(verdict['cpu_met'])} ({ratios})\n"
            f"  {'':10} ≤40 MB per 1,000 idle: {_yes(verdict['memory_met'])} "
            f"({verdict['memory_mb_per_1000']} MB)"
        )


def _ms(value: float | None) -> str:
    return f"{value:>8.1f}" if value is not None else f"{'-':>8}"


def _num(value: float | None, width: int) -> str:
    return f"{value:>{width}g}" if value is not None else f"{'-':>{width}}"


def _yes(flag: bool) -> str:
    return "MET" if flag else "NOT MET"


def main() -> None:
    started = time.time()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    try:
        setup = prepare_database()
        budget_end = started + BUDGET_SECONDS
        for index, config in enumerate(CONFIGS):
            remaining = len(CONFIGS) - index
            deadline = time.time() + (budget_end - time.time()) / remaining
            results.append(run_config(config, setup, deadline))
    except KeyboardInterrupt:
        print("interrupted: reporting what ran")
    finally:
        stop_all()
    targets = evaluate(results)
    print_tables(results, targets)
    report = {
        "started": datetime.fromtimestamp(started, UTC).isoformat(),
        "seconds": round(time.time() - started, 1),
        "machine": machine(),
        "plan": PLAN,
        "step_seconds": STEP_SECONDS,
        "targets": targets,
        "results": results,
    }
    stamp = datetime.fromtimestamp(started, UTC).strftime("%Y%m%d-%H%M%S")
    text = json.dumps(report, indent=1, ensure_ascii=False)
    (OUT_DIR / f"chat-{stamp}.json").write_text(text)
    (OUT_DIR / "chat-latest.json").write_text(text)
    print(f"\n{report['seconds']:.0f} s; results in var/bench/chat-{stamp}.json")


if __name__ == "__main__":
    main()
