"""The server ``make run`` starts (``campus_social.server``): Daphne whose access log never holds
a query string.  Driven for real: a Daphne process, HTTP and websocket requests, the log file."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from campus_social.server import path_without_query
from tests.values import A_MY_NUMBER

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own server
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def served(tmp_path):
    """``python -m campus_social.server`` on a free port, writing its access log to a file."""
    port = _free_port()
    log = tmp_path / "access.log"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment["CAMPUS_VAR_DIR"] = str(tmp_path)  # the embedded default, in a place of its own
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "campus_social.server",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "--access-log",
            str(log),
            "campus_social.asgi:application",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.err").open("w"),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    detail = (tmp_path / "server.err").read_text()
                    raise RuntimeError(f"the server did not start:\n{detail}") from None
                time.sleep(0.2)
        yield f"127.0.0.1:{port}", log
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_access_log_of_make_runs_server_has_paths_but_never_query_strings(served):
    host, log = served

    assert _get(f"http://{host}/healthz?q={A_MY_NUMBER}") == 200
    assert _get(f"http://{host}/api/v1/staff/residents/?q=%E5%B1%B1%E7%94%B0{A_MY_NUMBER}") in (
        401,
        403,
    )
    with pytest.raises(InvalidStatus):  # no Origin, not signed in: refused
        connect(f"ws://{host}/ws/v1/?token={A_MY_NUMBER}", open_timeout=10).close()

    deadline = time.monotonic() + 10
    while log.read_text().count("\n") < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    written = log.read_text()
    assert '"GET /healthz" 200' in written
    assert '"GET /api/v1/staff/residents/" 40' in written
    assert "/ws/v1/" in written
    assert A_MY_NUMBER not in written
    assert "?" not in written
    assert "%E5" not in written


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/api/v1/staff/residents/?q=123456789018", "/api/v1/staff/residents/"),
        ("/healthz", "/healthz"),
        ("/?", "/"),
        ("b'/\\xff?q=x'", "b'/\\xff"),  # Daphne's repr of a URI that is not ASCII
    ],
)
def test_a_logged_path_keeps_the_path_and_drops_the_query(path, logged):
    assert path_without_query(path) == logged
