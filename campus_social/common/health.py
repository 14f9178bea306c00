"""Liveness and readiness probes for load balancers and orchestrators (public)."""

import asyncio
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive.  Touches nothing else."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The database and the channel layer answer; 503 names whichever does not."""
    checks = {"database": _database_answers(), "channel_layer": _channel_layer_answers()}
    ready = all(checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return JsonResponse(body, status=200 if ready else 503)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _channel_layer_answers() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        return bool(async_to_sync(_round_trip)(layer))
    except Exception:
        return False


async def _round_trip(layer: object) -> bool:
    channel = f"readyz.{uuid.uuid4().hex}"
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "readyz", "token": token})  # type: ignore[attr-defined]
    receive = layer.receive(channel)  # type: ignore[attr-defined]
    message = await asyncio.wait_for(receive, timeout=2)
    return message.get("token") == token
