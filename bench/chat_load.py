"""The load generator of ``make bench-chat``: real websocket clients in one asyncio process.

It knows nothing of Django: it talks protocol v1 (``docs/protocol.md``) to Daphne, or
plain frames to ``reference_server.py``, and reads the servers' CPU time and memory from
``/proc``.  ``run_chat.py`` starts the servers and this process, once per server set-up.

For every client count N it opens N signed-in sockets (split round-robin over ``--urls``),
subscribes them to the room for N, then runs the rising send rates of ``--plan``.  In a step the
sender sends ``rate`` messages a second for ``--step-seconds`` on a fixed schedule (open loop:
a slow server does not slow the sender down, so queueing shows up as latency), taking the
sending socket round-robin over all N (the consumer allows each socket 20 frames a second).
Each message body is ``"<time_ns> <step> <k>"``: every client measures the delivery latency
from the timestamp of each frame it receives (one process, one clock) and counts distinct
``k`` per step: a message missing at a client that has seen a later one is *lost*, one still
missing when the drain ends is *late*, a repeat is a duplicate, and a jump in ``seq`` a gap.  After the send phase the step waits (at most ``DRAIN_SECONDS``) for
the stragglers, then reads the servers' CPU time (and, as a noise gauge, how much CPU every
other process of the machine used meanwhile).  A step whose p99 passes 1 s, or that has a lost
or late message or an error, ends the ladder for that N.

Memory: before the rates, ``--memory`` idle signed-in sockets are opened (no subscribe); the
servers' VmRSS growth while they are open, scaled to 1,000, is the memory per 1,000 idle
connections.
"""

import argparse
import asyncio
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

DRAIN_SECONDS = 5.0
WARM_UP_SECONDS = 1.5
P99_LIMIT_MS = 1000.0
NOISY = 0.5  # cores used by other processes during a step
CONNECT_CONCURRENCY = 50
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- /proc ------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state): utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def machine_busy_seconds() -> float:
    """CPU time all processes of the machine spent busy so far (the first line of /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    # user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
    return (sum(values[:8]) - values[3] - values[4]) / CLOCK_TICKS


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


# --- clients ----------------------------------------------------------------------------------


@dataclass
class Step:
    """What the clients saw of one step's messages."""

    clients: int
    latencies_ns: list[int] = field(default_factory=list)
    seen: list[set[int]] = field(default_factory=list)
    delivered: int = 0
    duplicates: int = 0
    errors: int = 0
    error_codes: dict[str, int] = field(default_factory=dict)
    first_send_ns: int = 0
    last_delivery_ns: int = 0

    def __post_init__(self) -> None:
        self.seen = [set() for _ in range(self.clients)]


@dataclass
class Client:
    index: int
    ws: ClientConnection
    subscribed: asyncio.Future[dict[str, Any]]
    last_seq: int | None = None
    seq_gaps: int = 0
    # Set when the server closed the socket before the bench did: (seconds into the run, code).
    closed_by_server: tuple[float, int | None] | None = None


class Generator:
    def __init__(self, mode: str, urls: list[str], sessions: list[str]) -> None:
        self.mode = mode
        self.urls = urls
        self.sessions = sessions
        self.steps: dict[int, Step] = {}
        self.sent_ids: dict[str, int] = {}
        self.other_frames: dict[str, int] = {}
        self.closing = False
        self.run_started = time.monotonic()

    async def open(self, index: int, session: str) -> ClientConnection:
        url = self.urls[index % len(self.urls)]
        parts = urlsplit(url)
        return await connect(
            url,
            origin=Origin(f"http://{parts.netloc}"),
            additional_headers={"Cookie": f"sessionid={session}"},
            compression=None,
            ping_interval=None,
            proxy=None,
            open_timeout=60,
            close_timeout=5,
            user_agent_header=None,
        )

    async def open_many(self, count: int) -> list[ClientConnection]:
        if count > len(self.sessions):
            raise SystemExit(
                f"{count} sockets need {count} sessions; setup made {len(self.sessions)}"
            )
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(index: int) -> ClientConnection:
            async with limit:
                return await self.open(index, self.sessions[index])

        return list(await asyncio.gather(*(one(i) for i in range(count))))

    @staticmethod
    async def close_many(sockets: list[ClientConnection]) -> None:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)

    async def read(self, client: Client) -> None:
        message_type = "message" if self.mode == "daphne" else "send"
        try:
            async for raw in client.ws:
                now = time.time_ns()
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == message_type:
                    sent_ns, step_id, k = frame["body"].split(" ")
                    seq = frame.get("seq")
                    if seq is not None:
                        if client.last_seq is not None and seq != client.last_seq + 1:
                            client.seq_gaps += 1
                        client.last_seq = seq
                    step = self.steps.get(int(step_id))
                    if step is None:
                        continue
                    seen = step.seen[client.index]
                    number = int(k)
                    if number in seen:
                        step.duplicates += 1
                        continue
                    seen.add(number)
                    step.delivered += 1
                    step.latencies_ns.append(now - int(sent_ns))
                    step.last_delivery_ns = now
                elif kind == "subscribed":
                    if not client.subscribed.done():
                        client.subscribed.set_result(frame)
                    client.last_seq = frame["last_seq"]
                elif kind == "error" and frame.get("client_id") in self.sent_ids:
                    step = self.steps[self.sent_ids[frame["client_id"]]]
                    step.errors += 1
                    step.error_codes[frame["code"]] = step.error_codes.get(frame["code"], 0) + 1
                else:
                    self.other_frames[str(kind)] = self.other_frames.get(str(kind), 0) + 1
                    if kind == "error" and not client.subscribed.done():
                        client.subscribed.set_exception(RuntimeError(f"subscribe refused: {frame}"))
        except Exception as error:  # a dropped socket shows up as late messages
            self.other_frames[f"reader ended: {type(error).__name__}"] = (
                self.other_frames.get(f"reader ended: {type(error).__name__}", 0) + 1
            )
        if not self.closing:
            code = client.ws.close_code
            client.closed_by_server = (round(time.monotonic() - self.run_started, 1), code)

    async def run_step(
        self,
        clients: list[Client],
        room: int,
        step_id: int,
        rate: float,
        seconds: float,
        pids: list[int],
        aux_pids: dict[str, int],
    ) -> dict[str, Any]:
        step = self.steps[step_id] = Step(clients=len(clients))
        loop = asyncio.get_running_loop()
        count = max(1, round(rate * seconds))
        interval = 1.0 / rate
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        aux_before = {name: cpu_seconds(pid) for name, pid in aux_pids.items()}
        own_before, wall_before = own_cpu_seconds(), time.monotonic()
        busy_before = machine_busy_seconds()
        step.first_send_ns = time.time_ns()
        started = loop.time()
        max_lag = 0.0
        offset = step_id * 7  # spread the sending round over the sockets from step to step
        k = failed_sends = 0  # k numbers the messages actually sent, from 0 without holes
        for i in range(count):
            delay = started + i * interval - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                max_lag = max(max_lag, -delay)
            client = clients[(offset + i) % len(clients)]
            if client.closed_by_server is not None:
                failed_sends += 1
                continue
            client_id = str(uuid.uuid4())
            self.sent_ids[client_id] = step_id
            body = f"{time.time_ns()} {step_id} {k}"
            try:
                await client.ws.send(
                    json.dumps({"type": "send", "room": room, "client_id": client_id, "body": body})
                )
            except ConnectionClosed:
                failed_sends += 1
                continue
            k += 1
        count = k
        send_seconds = loop.time() - started
        drain_until = loop.time() + DRAIN_SECONDS
        while loop.time() < drain_until:
            if step.delivered >= (count - step.errors) * len(clients):
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)  # let the servers finish the last writes before reading CPU
        wall = time.monotonic() - wall_before
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
        aux = {name: cpu_seconds(pid) - aux_before[name] for name, pid in aux_pids.items()}
        own = own_cpu_seconds() - own_before
        # Whatever else ran on the machine meanwhile (other people's tests, say): a noise gauge.
        others = machine_busy_seconds() - busy_before - cpu - own - sum(aux.values())

        accepted = count - step.errors
        expected = accepted * len(clients)
        # A message missing at a client that has seen a later one was skipped: lost.  One missing
        # after the last it saw may still be on its way: late (not delivered within the drain).
        lost = late = 0
        for seen in step.seen:
            newest = max(seen, default=-1)
            missing = accepted - len(seen)
            skipped = newest + 1 - len(seen)
            lost += skipped
            late += missing - skipped
        latencies = sorted(step.latencies_ns)
        span_s = (
            (step.last_delivery_ns - step.first_send_ns) / 1e9 if step.last_delivery_ns else 0.0
        )
        result: dict[str, Any] = {
            "rate": rate,
            "offered_deliveries_per_s": rate * len(clients),
            "sent": count,
            "sends_on_closed_sockets": failed_sends,
            "send_seconds": round(send_seconds, 3),
            "accepted": accepted,
            "errors": step.errors,
            "error_codes": step.error_codes,
            "expected_deliveries": expected,
            "deliveries": step.delivered,
            "lost": lost,
            "late": late,
            "duplicates": step.duplicates,
            "delivered_per_s": round(step.delivered / span_s, 1) if span_s else 0.0,
            "p50_ms": _percentile_ms(latencies, 0.50),
            "p95_ms": _percentile_ms(latencies, 0.95),
            "p99_ms": _percentile_ms(latencies, 0.99),
            "max_ms": round(latencies[-1] / 1e6, 2) if latencies else None,
            "server_cpu_s": round(cpu, 3),
            "server_cpu_share": round(cpu / wall, 3),
            "server_cpu_us_per_delivery": (
                round(cpu / step.delivered * 1e6, 1) if step.delivered else None
            ),
            "aux_cpu_us_per_delivery": {
                name: round(seconds / step.delivered * 1e6, 1) if step.delivered else None
                for name, seconds in aux.items()
            },
            "generator_cpu_share": round(own / wall, 3),
            "other_processes_cpu_share": round(max(others, 0.0) / wall, 3),
            "sender_max_lag_ms": round(max_lag * 1000, 1),
            "sockets_closed_by_server": sum(1 for c in clients if c.closed_by_server is not None),
        }
        del self.steps[step_id]
        return result

    async def run_clients(
        self,
        n: int,
        room: int,
        rates: list[float],
        seconds: float,
        pids: list[int],
        aux_pids: dict[str, int],
        deadline: float,
        first_step_id: int,
    ) -> dict[str, Any]:
        started = self.run_started = time.monotonic()
        self.closing = False
        sockets = await self.open_many(n)
        loop = asyncio.get_running_loop()
        clients = [Client(i, ws, loop.create_future()) for i, ws in enumerate(sockets)]
        readers = [asyncio.create_task(self.read(client)) for client in clients]
        run: dict[str, Any] = {"clients": n, "room": room, "steps": [], "stopped": None}
        try:
            if self.mode == "daphne":
                for client in clients:
                    await client.ws.send(
                        json.dumps({"type": "subscribe", "room": room, "after": None})
                    )
                await asyncio.wait_for(asyncio.gather(*(c.subscribed for c in clients)), 120)
            run["connect_seconds"] = round(time.monotonic() - started, 2)
            # Warm-up at the first rate, not reported (first queries, code paths, buffers).
            await self.run_step(
                clients, room, first_step_id, rates[0], WARM_UP_SECONDS, pids, aux_pids
            )
            await asyncio.sleep(0.5)
            for number, rate in enumerate(rates, start=first_step_id + 1):
                if time.time() + seconds + DRAIN_SECONDS > deadline:
                    run["stopped"] = f"time budget: rates from {rate:g}/s not run"
                    break
                step = await self.run_step(clients, room, number, rate, seconds, pids, aux_pids)
                _print_step(self.mode, n, step)
                if _failed(step) and step["other_processes_cpu_share"] > NOISY:
                    # Other processes took the CPU meanwhile: the failure may be theirs.  Once
                    # more, after a pause; both figures are kept.
                    await asyncio.sleep(3.0)
                    first = step
                    number += 1000
                    step = await self.run_step(clients, room, number, rate, seconds, pids, aux_pids)
                    step["noisy_first_attempt"] = first
                    _print_step(self.mode, n, step, note="(again: the machine was busy)")
                run["steps"].append(step)
                reasons = []
                if step["p99_ms"] is None or step["p99_ms"] > P99_LIMIT_MS:
                    reasons.append("p99 over 1 s")
                if step["lost"] > 0:
                    reasons.append("loss")
                if step["late"] > 0:
                    reasons.append(f"not delivered within {DRAIN_SECONDS:g} s")
                if step["errors"] > 0:
                    reasons.append(f"errors {step['error_codes']}")
                if step["sockets_closed_by_server"]:
                    reasons.append(
                        f"{step['sockets_closed_by_server']} sockets closed by the server"
                    )
                if reasons:
                    run["stopped"] = f"at {rate:g} msg/s: " + ", ".join(reasons)
                    break
                await asyncio.sleep(0.5)
            run["seq_gaps"] = sum(client.seq_gaps for client in clients)
        finally:
            closed = [c.closed_by_server for c in clients if c.closed_by_server is not None]
            run["sockets_closed_by_server"] = len(closed)
            run["closed_by_server"] = sorted(closed)[:20]  # (seconds into the run, close code)
            self.closing = True
            await self.close_many(sockets)
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
        return run

    async def measure_memory(self, count: int, pids: list[int]) -> dict[str, Any]:
        # Warm the handshake path first, so the figure is about connections, not first imports.
        await self.close_many(await self.open_many(min(50, count)))
        await asyncio.sleep(1.0)
        before = [rss_kb(pid) for pid in pids]
        started = time.monotonic()
        sockets = await self.open_many(count)
        opened = time.monotonic() - started
        await asyncio.sleep(2.0)
        after = [rss_kb(pid) for pid in pids]
        await self.close_many(sockets)
        await asyncio.sleep(1.0)
        closed = [rss_kb(pid) for pid in pids]
        delta_mb = (sum(after) - sum(before)) / 1024
        return {
            "connections": count,
            "rss_before_kb": before,
            "rss_open_kb": after,
            "rss_after_close_kb": closed,
            "open_seconds": round(opened, 2),
            "mb_per_1000": round(delta_mb * 1000 / count, 1),
        }


def _failed(step: dict[str, Any]) -> bool:
    return bool(
        step["p99_ms"] is None
        or step["p99_ms"] > P99_LIMIT_MS
        or step["lost"]
        or step["late"]
        or step["errors"]
        or step["sockets_closed_by_server"]
    )


def _percentile_ms(ordered: list[int], q: float) -> float | None:
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6, 2)


def _print_step(mode: str, n: int, step: dict[str, Any], note: str = "") -> None:
    print(
        f"  {mode:9} N={n:<4} {step['rate']:>6g} msg/s  {step['delivered_per_s']:>9.0f} deliv/s  "
        f"p50 {step['p50_ms']} p95 {step['p95_ms']} p99 {step['p99_ms']} ms  "
        f"lost {step['lost']} late {step['late']}  cpu {step['server_cpu_us_per_delivery']} µs/deliv  "
        f"gen {step['generator_cpu_share']:.0%} others {step['other_processes_cpu_share']:.0%} {note}",
        flush=True,
    )


async def main(arguments: argparse.Namespace) -> None:
    setup = json.loads(arguments.setup.read_text()) if arguments.setup else {}
    sessions: list[str] = setup.get("sessions") or [
        uuid.uuid4().hex for _ in range(max(arguments.memory, 1000))
    ]
    rooms: dict[str, int] = setup.get("rooms", {})
    plan: dict[str, list[float]] = json.loads(arguments.plan)
    pids = [int(pid) for pid in arguments.pids.split(",")]
    aux_pids = {
        name: int(pid)
        for name, _, pid in (item.partition("=") for item in arguments.aux_pids if item)
    }
    generator = Generator(arguments.mode, arguments.urls.split(","), sessions)
    result: dict[str, Any] = {"mode": arguments.mode, "servers": len(pids), "runs": []}
    if arguments.memory:
        result["memory"] = await generator.measure_memory(arguments.memory, pids)
        print(
            f"  {arguments.mode:9} memory: {result['memory']['mb_per_1000']} MB per 1,000 idle sockets"
        )
    step_id = 0
    for n_text, rates in plan.items():
        n = int(n_text)
        room = rooms.get(n_text, 1)
        run = await generator.run_clients(
            n, room, rates, arguments.step_seconds, pids, aux_pids, arguments.deadline, step_id
        )
        step_id += len(rates) + 1
        result["runs"].append(run)
        await asyncio.sleep(1.0)
    result["other_frames"] = generator.other_frames
    arguments.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Websocket load generator for make bench-chat.")
    parser.add_argument("--mode", choices=["daphne", "reference"], required=True)
    parser.add_argument("--urls", required=True, help="ws:// URLs, comma-separated")
    parser.add_argument("--pids", required=True, help="server process ids, comma-separated")
    parser.add_argument("--aux-pids", nargs="*", default=[], help="name=pid: other CPU to report")
    parser.add_argument("--setup", type=Path, help="the JSON that setup_room.py wrote")
    parser.add_argument("--plan", required=True, help='{"N": [rates…], …}')
    parser.add_argument("--step-seconds", type=float, default=8.0)
    parser.add_argument("--memory", type=int, default=1000, help="idle sockets to open (0: skip)")
    parser.add_argument("--deadline", type=float, default=float("inf"), help="unix time")
    parser.add_argument("--out", type=Path, required=True)
    asyncio.run(main(parser.parse_args()))
