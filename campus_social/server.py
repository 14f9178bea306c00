"""Daphne as Campus Social runs it: the same server and options, but an access log that never
holds a query string.

Query strings carry what people type — a name searched at the counter, a mistyped My Number —
and Daphne's access log (``daphne.access.AccessLogGenerator``) writes each request's whole URI.
Every action Daphne reports is handed on with the path alone, whatever writes the log.  Start it
as Daphne's own command line, with the same options (``make run`` does)::

    python -m campus_social.server -b 127.0.0.1 -p 8000 campus_social.asgi:application
"""

from typing import Any

from daphne.cli import CommandLineInterface
from daphne.server import Server


def path_without_query(path: str) -> str:
    """``/api/v1/staff/residents/?q=…`` → ``/api/v1/staff/residents/``."""
    return path.partition("?")[0]


class PathOnlyServer(Server):
    def log_action(self, protocol: str, action: str, details: dict[str, Any]) -> None:
        if isinstance(details.get("path"), str):
            details = {**details, "path": path_without_query(details["path"])}
        super().log_action(protocol, action, details)


class PathOnlyCommandLine(CommandLineInterface):
    server_class = PathOnlyServer


if __name__ == "__main__":
    PathOnlyCommandLine.entrypoint()
