"""Request bodies capped at the server, before anything reads them.

Django's ASGI handler reads the whole body (into memory, then a temporary file) before any
middleware runs, so ``RequestBodyLimitMiddleware`` and the upload checks could only refuse a
50 MB file after all of it had arrived — seconds per request and hundreds of megabytes of
server memory for an attacker to spend.  This ASGI wrapper sits in front of the Django
application (``asgi.py``, HTTP only) and:

- answers 413 at once when ``Content-Length`` is over the cap, without reading the body;
- counts the body as it arrives otherwise (chunked, or more than announced), and stops at the
  cap: it answers 413 and tells Django the client went away, so Django drops what it read.

The cap depends on the kind of route, told by the content type: file uploads (multipart) may
be as large as the largest upload any app accepts plus room for the form around it
(``REQUEST_UPLOAD_MAX_BYTES``); every other body (JSON, forms) ``DATA_UPLOAD_MAX_MEMORY_SIZE``,
as ``RequestBodyLimitMiddleware`` applies it.  The apps' own, finer limits still apply below.
"""

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings
from django.http.cookie import parse_cookie
from django.utils import translation
from django.utils.translation import gettext as _

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# Loose on purpose: Django's and Channels' applications spell their own signatures.
ASGIApp = Callable[..., Awaitable[None]]


class RequestBodyCap:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        cap = body_cap(headers.get("content-type", ""))
        if _declared_length(headers) > cap:
            await _refuse(send, headers)
            return

        received = 0
        refused = False

        async def capped_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                received += len(message.get("body", b""))
                if received > cap:
                    refused = True
                    await _refuse(send, headers)
                    # Django drops a request whose client went away, body and all.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # the 413 is the whole answer
                await send(message)

        await self.app(scope, capped_receive, guarded_send)


def body_cap(content_type: str) -> int:
    """The largest body a request of this content type may have, in bytes."""
    if content_type.split(";", 1)[0].strip().lower() == "multipart/form-data":
        return int(settings.REQUEST_UPLOAD_MAX_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def _headers(scope: Scope) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers", [])
    }


def _declared_length(headers: dict[str, str]) -> int:
    value = headers.get("content-length", "").strip()
    # A missing or malformed length is the counting's job (and the server's).
    return int(value) if value.isascii() and value.isdigit() else 0


async def _refuse(send: Send, headers: dict[str, str]) -> None:
    chosen = parse_cookie(headers.get("cookie", "")).get(settings.LANGUAGE_COOKIE_NAME, "")
    supported = {code for code, _name in settings.LANGUAGES}
    language: str = chosen if chosen in supported else settings.LANGUAGE_CODE
    with translation.override(language):
        detail = _("The request is too large. Please send less at once.")
    body = json.dumps({"code": "too_large", "detail": detail}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"content-language", language.encode()),
                # The unread body is still on the wire: the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
