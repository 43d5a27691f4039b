"""A polite HTTP client for the network sources: a fixed pause between calls, retries with backoff."""

import logging
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from email.utils import parsedate_to_datetime

from django.conf import settings

log = logging.getLogger(__name__)

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


class PoliteClient:
    """GETs with at least `delay` seconds between calls, retrying 429/5xx and network errors with backoff.

    The n-th retry waits `backoff` * 2**(n-1) seconds (plus jitter), or what the server's Retry-After asks.
    """

    def __init__(self, delay: float, retries: int | None = None, timeout: float | None = None,
                 sleep: Callable[[float], None] = time.sleep, backoff: float = 2.0) -> None:
        self.delay = delay
        self.retries = settings.PAPERHUB_HTTP_RETRIES if retries is None else retries
        self.timeout = settings.PAPERHUB_HTTP_TIMEOUT if timeout is None else timeout
        self.backoff = backoff
        self._sleep = sleep
        self._last_call = 0.0

    def _wait_turn(self) -> None:
        gap = self.delay - (time.monotonic() - self._last_call)
        if gap > 0:
            self._sleep(gap)
        self._last_call = time.monotonic()

    def get(self, url: str, params: dict[str, str] | None = None) -> bytes:
        """The body of a successful GET; raises SourceError for client errors, SourceUnreachable at the end."""
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
        last_problem = ""
        asked_pause: float | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                backoff = self.backoff * 2 ** (attempt - 1) * random.uniform(1.0, 1.5)
                pause = asked_pause if asked_pause is not None else backoff
                asked_pause = None
                log.warning("retrying %s in %.1fs (attempt %d): %s", urllib.parse.urlsplit(url).netloc, pause,
                            attempt + 1, last_problem)
                self._sleep(pause)
            self._wait_turn()
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.read()
            except urllib.error.HTTPError as exc:
                last_problem = f"HTTP {exc.code}"
                if exc.code == 429 or exc.code >= 500:
                    wait = _retry_after(exc.headers.get("Retry-After"))
                    asked_pause = None if wait is None else min(wait, 600.0)
                    continue
                raise SourceError(f"{urllib.parse.urlsplit(url).netloc} answered HTTP {exc.code} to {url}") from exc
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                last_problem = str(getattr(exc, "reason", exc))
        host = urllib.parse.urlsplit(url).netloc
        raise SourceUnreachable(f"{host} could not be reached after {self.retries + 1} tries: {last_problem}")
