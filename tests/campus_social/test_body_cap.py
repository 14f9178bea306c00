"""Large bodies are refused before they are read (issue #9, item 7), through the real ASGI
application: the receive channel below counts every byte Django or the cap asked for."""

import asyncio
import json
from collections.abc import Iterator

import pytest
from django.conf import settings

from campus_social.asgi import application
from campus_social.common.images import clean_image
from communities.uploads import DOCUMENT_MAX_BYTES, PICTURE_MAX_BYTES

CHUNK = 64 * 1024
FIFTY_MB = 50 * 1024 * 1024


class Client:
    """One raw ASGI HTTP request whose body is handed out on demand, and counted."""

    def __init__(self, chunks: Iterator[bytes] | list[bytes]) -> None:
        self.chunks = iter(chunks)
        self.pending = next(self.chunks, None)
        self.bytes_read = 0
        self.sent: list[dict] = []

    async def receive(self) -> dict:
        body = self.pending
        if body is None:
            # The whole body was sent; the client waits for the answer.
            await asyncio.Future()
        assert body is not None
        self.pending = next(self.chunks, None)
        self.bytes_read += len(body)
        return {"type": "http.request", "body": body, "more_body": self.pending is not None}

    async def send(self, message: dict) -> None:
        self.sent.append(message)

    async def post(self, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, dict]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"localhost"), *headers],
            "client": ("127.0.0.1", 50000),
            "server": ("localhost", 80),
        }
        await application(scope, self.receive, self.send)
        start = next(m for m in self.sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")
        return start["status"], json.loads(body) if body else {}


def endless() -> Iterator[bytes]:
    while True:
        yield b"x" * CHUNK


MULTIPART = (b"content-type", b"multipart/form-data; boundary=----x")
JSON = (b"content-type", b"application/json")


@pytest.mark.asyncio
@pytest.mark.parametrize("content_type", [MULTIPART, JSON])
async def test_a_50_mb_body_is_refused_by_its_content_length_without_reading_a_byte(content_type):
    client = Client(endless())

    status, answer = await client.post(
        "/api/v1/circles/1/resources/files/",
        [content_type, (b"content-length", str(FIFTY_MB).encode())],
    )

    assert status == 413
    assert answer["code"] == "too_large"
    assert answer["detail"]
    assert client.bytes_read == 0


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("content_type", "cap"),
    [(MULTIPART, "REQUEST_UPLOAD_MAX_BYTES"), (JSON, "DATA_UPLOAD_MAX_MEMORY_SIZE")],
)
async def test_a_body_without_content_length_is_stopped_once_it_passes_the_cap(content_type, cap):
    client = Client(endless())

    status, answer = await client.post("/api/v1/rooms/1/messages/", [content_type])

    assert status == 413
    assert answer["code"] == "too_large"
    assert client.bytes_read <= getattr(settings, cap) + CHUNK
    assert len([m for m in client.sent if m["type"] == "http.response.start"]) == 1


@pytest.mark.asyncio
async def test_the_413_speaks_the_language_the_resident_chose():
    client = Client(endless())
    cookie = f"{settings.LANGUAGE_COOKIE_NAME}=en".encode()

    _status, answer = await client.post(
        "/api/v1/rooms/1/messages/", [JSON, (b"content-length", b"999999999"), (b"cookie", cookie)]
    )

    assert answer["detail"] == "The request is too large. Please send less at once."


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_body_under_the_cap_reaches_django():
    body = b'{"client_id": "x", "body": "hi"}'
    client = Client([body])

    status, answer = await client.post(
        "/api/v1/rooms/1/messages/", [JSON, (b"content-length", str(len(body)).encode())]
    )

    assert status == 401  # Django answered: nobody is signed in
    assert answer["code"] != "too_large"


def test_the_upload_cap_leaves_room_for_every_upload_an_app_accepts():
    largest = max(DOCUMENT_MAX_BYTES, PICTURE_MAX_BYTES, clean_image.__kwdefaults__["max_bytes"])
    assert largest < settings.REQUEST_UPLOAD_MAX_BYTES
