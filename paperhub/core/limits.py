"""Fixed-window rate limits kept in the database, so every process of a hub shares them."""

import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.http import HttpRequest

from paperhub import env
from paperhub.core.models import RateWindow


@dataclass(frozen=True)
class Rate:
    """So many requests per so many seconds."""

    requests: int
    seconds: int


def parse_rate(text: str) -> Rate | None:
    """'60/min', '1000/hour', '10/5s' as a Rate; '' or '0' means no limit (None). The settings are checked at
    start-up by the same parser (paperhub.env.env_rate)."""
    parsed = env.parse_rate(text)
    return Rate(*parsed) if parsed is not None else None


def hit(key: str, rate: Rate, now: float | None = None) -> int:
    """Count a request; returns 0 when allowed, else the seconds until the window ends (for Retry-After)."""
    now, window = _window(rate, now)
    table = RateWindow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (client, started, count) VALUES (%s, %s, 1) "  # noqa: S608 (our table name)
            f"ON CONFLICT (client, started) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [key[:120], window],
        )
        count = cursor.fetchone()[0]
    if random.random() < 0.001:  # now and then, forget windows that have ended
        RateWindow.objects.filter(started__lt=window - 86400).delete()
    return 0 if count <= rate.requests else max(1, int(window + rate.seconds - now + 0.999))


def forgive(key: str, rate: Rate, now: float | None = None) -> None:
    """Take back one request counted by hit() in the current window (one that turned out not to count, as a right
    password)."""
    _, window = _window(rate, now)
    RateWindow.objects.filter(client=key[:120], started=window, count__gt=0).update(count=F("count") - 1)


def _window(rate: Rate, now: float | None) -> tuple[float, int]:
    """The moment (now, unless given) and the start of its window of `rate`."""
    now = time.time() if now is None else now
    return now, int(now // rate.seconds * rate.seconds)


def api_wait(user_id: int | None, address: str) -> int:
    """Count a call to the API (JSON or MCP) for its token's user, else its address (PAPERHUB_API_RATE_TOKEN /
    PAPERHUB_API_RATE_ANON, one budget for both doors); 0 when allowed, else the seconds to wait."""
    if user_id is not None:
        key, rate = f"token:{user_id}", parse_rate(settings.PAPERHUB_API_RATE_TOKEN)
    else:
        key, rate = f"ip:{address}", parse_rate(settings.PAPERHUB_API_RATE_ANON)
    return hit(key, rate) if rate is not None else 0


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's, or behind PAPERHUB_PROXIES proxies the one they forwarded."""
    proxies = settings.NINJA_NUM_PROXIES
    forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        # Each proxy appends the address it received from; only the last `proxies` entries can be trusted.
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))][:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def over_limit(request: HttpRequest, scope: str, rate_text: str, who: str | None = None) -> int:
    """Count a request to `scope` for its client (or for `who`); 0 when allowed, else the seconds to wait."""
    rate = parse_rate(rate_text)
    if rate is None:
        return 0
    return hit(f"{scope}:{who if who is not None else client_address(request)}", rate)
