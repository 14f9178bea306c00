"""Counting attempts per key in the cache, for limits that pages and the API share.

A sliding window: the cache keeps the times of recent attempts under each key.  With the
embedded default the cache is per process; with ``REDIS_URL`` every Daphne process shares it.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/min"`` → ``(10, 60)``: so many attempts per so many seconds."""
    count, _slash, period = rate.partition("/")
    return int(count), _PERIODS[period]


def rate_limit_hit(*, scope: str, ident: str, rate: str) -> int | None:
    """Count one attempt.  Over the rate, count nothing and return the seconds to wait."""
    limit, period = parse_rate(rate)
    key = f"ratelimit:{scope}:{ident}"
    now = time.time()
    recent = [moment for moment in cache.get(key, []) if moment > now - period]
    if len(recent) >= limit:
        return int(recent[0] + period - now) + 1
    recent.append(now)
    cache.set(key, recent, period)
    return None


def client_address(request: HttpRequest) -> str:
    """The caller's address; behind ``NUM_PROXIES`` trusted proxies, from X-Forwarded-For."""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.headers.get("X-Forwarded-For", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))]
    return str(request.META.get("REMOTE_ADDR", ""))


def caller_key(request: HttpRequest) -> str:
    """Whom a limit counts: the signed-in resident (wherever they are), else the address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"resident:{user.pk}"
    return f"address:{client_address(request)}"
