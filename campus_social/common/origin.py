"""Which pages may open a websocket: this site's own, on the host *and port* it is served on.

A browser sends a resident's session cookie with any websocket handshake, whichever page opens
it, so the handshake's ``Origin`` is the only sign of whose page asks.  Channels'
``AllowedHostsOriginValidator`` compares the host alone: a page on ``http://localhost:9999``
(any other local service) could then talk to the site on ``localhost:8000`` as the resident.

An Origin is accepted when, scheme aside, it is

- listed in ``WEBSOCKET_ALLOWED_ORIGINS`` (``https://campus.example.jp:8443``), for a proxy that
  rewrites the Host header; or
- the host and port the socket is opened on (the handshake's ``Host``; without a port there, the
  default port of the Origin's scheme), with a host that ``ALLOWED_HOSTS`` allows.
"""

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

Site = tuple[str, int]


def _origin_site(origin: str) -> Site | None:
    """``https://Campus.example.jp`` → ``("campus.example.jp", 443)``; ``None`` if malformed."""
    parts = urlsplit(origin.strip())
    default_port = _DEFAULT_PORTS.get(parts.scheme.lower())
    if default_port is None or "@" in parts.netloc or parts.path not in ("", "/"):
        return None
    return _site(parts.netloc, default_port)


def _site(netloc: str, default_port: int) -> Site | None:
    domain, port = split_domain_port(netloc)
    if not domain or (port and not port.isdigit()):
        return None
    return domain, int(port) if port else default_port


def websocket_origin_allowed(*, origin: str | None, host: str | None) -> bool:
    """Whether a handshake with this ``Origin`` (and ``Host``) header comes from our pages."""
    if not origin:
        return False
    site = _origin_site(origin)
    if site is None:
        return False
    if site in {_origin_site(listed) for listed in settings.WEBSOCKET_ALLOWED_ORIGINS}:
        return True
    domain = site[0]
    if not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme_port = _DEFAULT_PORTS[urlsplit(origin.strip()).scheme.lower()]
    served = _site(host, scheme_port) if host else (domain, scheme_port)
    return served == site


class SiteOriginValidator:
    """ASGI middleware for websockets: refuses the handshake (without a frame) unless
    ``websocket_origin_allowed``."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        origin, host = headers.get(b"origin"), headers.get(b"host")
        if websocket_origin_allowed(
            origin=origin.decode("latin1") if origin is not None else None,
            host=host.decode("latin1") if host is not None else None,
        ):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
