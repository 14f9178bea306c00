"""A live ASGI server (Daphne) for the browser tests that need websockets.

pytest-django's ``live_server`` speaks WSGI only.  ``asgi_live_server`` serves
``campus_social.asgi.application`` — pages, static files and ``/ws/v1/`` — with Daphne in a
forked process, the way ``channels.testing.ChannelsLiveServerTestCase`` does (it reuses
``daphne.testing.DaphneProcess``), on a free port of 127.0.0.1.

The server process must use the test database of this test run:

- SQLite: the default test database lives in memory and cannot be shared with another process,
  so ``django_db_modify_db_settings`` (imported by ``conftest.py``) names a file under pytest's
  tmp dir for the browser tests' test database.
- PostgreSQL (``DATABASE_URL``): the test database is ``test_<name>``.  By the time the process
  forks, Django has already put that name into ``settings.DATABASES`` (channels' own helper
  would prefix it a second time), so the process is handed the name in use here and checks it.

With ``REDIS_URL`` set, the test process and the server share the Redis channel layer and cache;
otherwise the in-memory layer lives inside the server process, which is where every socket is.
Tests using the server need ``transactional_db``: the server sees only committed rows.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from daphne.testing import DaphneProcess
from django.db import connections

STARTUP_TIMEOUT = 30


@dataclass(frozen=True)
class AsgiLiveServer:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.url


def _application():  # module level: DaphneProcess may need to pickle it
    from channels.routing import get_default_application
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    return ASGIStaticFilesHandler(get_default_application())


def _use_test_database(name: str) -> None:
    """Runs in the server process before it serves: the test run's database, nothing else."""
    from django.conf import settings
    from django.db import connections

    for alias in connections:
        connections[alias].close()
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name
    actual = connections["default"].settings_dict["NAME"]
    if actual != name:  # pragma: no cover - a wiring mistake, reported through the queue
        raise RuntimeError(f"server process would use database {actual!r}, not {name!r}")


def sqlite_test_database_file(tmp_dir: Path) -> None:
    """Give the SQLite test database a file (``django_db_modify_db_settings`` calls this)."""
    from django.conf import settings

    default = settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.sqlite3":
        default.setdefault("TEST", {})["NAME"] = str(tmp_dir / "browser-tests.sqlite3")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite in a file, so that the ASGI server process can open the same test database."""
    sqlite_test_database_file(tmp_path_factory.mktemp("db"))


@pytest.fixture
def asgi_live_server(transactional_db) -> Iterator[AsgiLiveServer]:
    """Daphne serving the whole ASGI application on a free 127.0.0.1 port, for one test.

    Started per test (a fork is quick), so it sees the settings the test's fixtures changed and
    holds no state from another test; stopped before the test database is flushed.
    """
    connection = connections["default"]
    database_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        raise RuntimeError("the ASGI live server needs a file database; see asgi_server.py")
    # No open connection may cross the fork: two processes on one socket corrupt both.
    connections.close_all()
    process = DaphneProcess(
        host="127.0.0.1",
        get_application=_application,
        setup=partial(_use_test_database, database_name),
    )
    process.daemon = True
    process.start()
    try:
        for _second in range(STARTUP_TIMEOUT):
            if process.ready.wait(timeout=1) or not process.is_alive():
                break
        if not process.ready.is_set():
            detail = "" if process.errors.empty() else process.errors.get(timeout=1)[1]
            raise RuntimeError(f"Daphne did not start.\n{detail}")
        yield AsgiLiveServer(host="127.0.0.1", port=process.port.value)
    finally:
        process.terminate()
        process.join(timeout=10)
        if process.is_alive():  # pragma: no cover
            process.kill()
            process.join()
