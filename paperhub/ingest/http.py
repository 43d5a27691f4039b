"""A polite HTTP client for the network sources: a fixed pause between calls, retries with backoff."""

import logging
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Collection
from dataclasses import dataclass
from email.message import Message
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.db import connection

from paperhub.core import process
from paperhub.papers.models import SourcePace

log = logging.getLogger(__name__)

MAX_PAUSE = 600.0  # the longest Retry-After honoured when a client sets no max_wait
USER_AGENT = "paperhub/0.1 (self-hosted paper hub; +https://github.com/)"


class SourceError(RuntimeError):
    """A source answered, but not with what we asked for (4xx, or an error document)."""


class SourceUnreachable(SourceError):
    """A source could not be reached, or kept failing, after every retry."""


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


# One statement takes the next free turn at a host and moves it on by the pause, so processes never share a turn.
_TAKE_TURN = """
INSERT INTO {table} (host, next_at) VALUES (%s, %s)
ON CONFLICT (host) DO UPDATE SET next_at = CASE WHEN {table}.next_at > %s THEN {table}.next_at ELSE %s END + %s
RETURNING next_at
"""


def take_turn(host: str, delay: float, now: float | None = None) -> float:
    """Seconds to wait before calling `host`, `delay` seconds after the turn any process of the hub took last."""
    now = time.time() if now is None else now
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_TURN.format(table=SourcePace._meta.db_table), [host, now + delay, now, now, delay])
        turn_ends = float(cursor.fetchone()[0])
    return max(0.0, turn_ends - delay - now)


@dataclass(frozen=True)
class Answer:
    """A source's answer: its status, headers and body."""

    status: int
    headers: Message
    body: bytes


class PoliteClient:
    """GETs with at least `delay` seconds between calls, retrying 429/5xx and network errors with backoff.

    The n-th retry waits `backoff` * 2**(n-1) seconds (plus jitter), or what the server's Retry-After asks; a
    wait longer than `max_wait` gives up at once instead (a worker is not held for minutes; without it, waits are cut
    to 10 minutes). With `shared`, the
    pause is kept across every process of the hub (a turn in the database), not only between this client's calls.
    """

    def __init__(self, delay: float, retries: int | None = None, timeout: float | None = None,
                 sleep: Callable[[float], None] = process.pause, backoff: float = 2.0, max_wait: float | None = None,
                 shared: bool = False) -> None:
        self.delay = delay
        self.retries = settings.PAPERHUB_HTTP_RETRIES if retries is None else retries
        self.timeout = settings.PAPERHUB_HTTP_TIMEOUT if timeout is None else timeout
        self.backoff = backoff
        self.max_wait = max_wait
        self.shared = shared
        self._sleep = sleep
        self._last_call = 0.0

    def _wait_turn(self, host: str) -> None:
        if self.shared and self.delay > 0:
            gap = take_turn(host, self.delay)
        else:
            gap = self.delay - (time.monotonic() - self._last_call)
        if gap > 0:
            self._sleep(gap)
        self._last_call = time.monotonic()

    def get(self, url: str, params: dict[str, str] | None = None) -> bytes:
        """The body of a successful GET; raises SourceError for client errors, SourceUnreachable at the end."""
        return self.fetch(url, params).body

    def fetch(self, url: str, params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
              keep: Collection[int] = (), data: bytes | None = None) -> Answer:
        """A GET's answer (a POST of `data` when given: only for writes the server makes idempotent, as they are
        retried too): a success, or one of the statuses in `keep` (returned, not raised or retried); raises
        SourceError for other client errors, SourceUnreachable after the last retry. `headers` are sent as
        given and never logged (an Authorization header, say)."""
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
        host = urllib.parse.urlsplit(url).netloc
        last_problem = ""
        asked_pause: float | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                backoff = self.backoff * 2 ** (attempt - 1) * random.uniform(1.0, 1.5)
                pause = asked_pause if asked_pause is not None else min(backoff, self.max_wait or backoff)
                asked_pause = None
                log.warning("retrying %s in %.1fs (attempt %d): %s", host, pause, attempt + 1, last_problem)
                self._sleep(pause)
            self._wait_turn(host)
            request = urllib.request.Request(url, data=data, headers={"User-Agent": USER_AGENT, **(headers or {})})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return Answer(response.status, response.headers, response.read())
            except urllib.error.HTTPError as exc:
                if exc.code in keep:
                    return Answer(exc.code, exc.headers, exc.read())
                last_problem = f"HTTP {exc.code}"
                if exc.code == 429 or exc.code >= 500:
                    wait = _retry_after(exc.headers.get("Retry-After"))
                    if wait is not None and self.max_wait is not None and wait > self.max_wait:
                        raise SourceUnreachable(f"{host} answered HTTP {exc.code} and asked to wait {wait:.0f} s "
                                                f"(more than {self.max_wait:.0f} s)") from exc
                    asked_pause = None if wait is None else min(wait, MAX_PAUSE)
                    continue
                raise SourceError(f"{host} answered HTTP {exc.code} to {url}") from exc
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                last_problem = str(getattr(exc, "reason", exc))
        raise SourceUnreachable(f"{host} could not be reached after {self.retries + 1} tries: {last_problem}")
