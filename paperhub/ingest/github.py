"""GitHub stars of the repositories papers name as their code: GET /repos/{owner}/{repo} of the GitHub REST API.

Polite and cached: one call per repository per run, oldest-checked first, at most PAPERHUB_GITHUB_PER_RUN of
them; conditional requests (an ETag answered 304 keeps the stored count and, with a token, costs no quota); a
spent rate limit stops the run, and runs before it refills (the time is kept in the database, for every process)
ask GitHub nothing; the first after it goes on where the oldest-first order stopped.
"""

import json
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings

from paperhub.ingest import checkpoints
from paperhub.ingest.http import Answer, PoliteClient, SourceError
from paperhub.papers.models import CodeRepository
from paperhub.papers.repositories import record_stars, repositories_due

log = logging.getLogger(__name__)

#: Statuses the run handles itself instead of the client's retries: unchanged, forbidden or limited, gone.
HANDLED = (304, 403, 404, 410, 429, 451)

#: The HarvestCheckpoint (source, key) whose cursor keeps when a spent rate limit refills (epoch seconds; "" none).
SPENT = ("github", "rate-limit")

#: The wait when a limited answer says no time: GitHub asks for at least a minute, longer when it repeats, and its
#: primary limit refills within the hour, so an hour outwaits either (at the hourly job's pace: one run skipped).
UNSAID_WAIT = 3600.0

#: The longest wait a limited answer is believed for: a garbled header must not stop the stars for good.
LONGEST_WAIT = 24 * 3600.0


def _clock(epoch: float) -> str:
    return time.strftime("%H:%M UTC", time.gmtime(epoch))


class RateLimited(SourceError):
    """GitHub's rate limit is spent; `reset` is when it refills (epoch seconds)."""

    def __init__(self, reset: float) -> None:
        self.reset = reset
        super().__init__(f"GitHub's rate limit is spent until {_clock(reset)}; the first run after it goes on "
                         "from here")


@dataclass(frozen=True)
class RepoState:
    """What GitHub said of a repository: its stars and ETag, unchanged since that ETag, or gone."""

    kind: Literal["stars", "unchanged", "gone"]
    stars: int | None = None
    etag: str = ""


def _refills_at(answer: Answer, now: float) -> float:
    """When a spent limit refills: now + Retry-After (first, as GitHub asks), else X-RateLimit-Reset (epoch
    seconds), else now + UNSAID_WAIT; never over LONGEST_WAIT from now."""
    for name, base in (("Retry-After", now), ("X-RateLimit-Reset", 0.0)):
        try:
            reset = base + float(answer.headers.get(name, ""))
        except ValueError:
            continue
        if math.isfinite(reset):
            return min(reset, now + LONGEST_WAIT)
    return now + UNSAID_WAIT


def repo_state(answer: Answer) -> RepoState:
    """A repository's state from GitHub's answer; raises RateLimited, or SourceError for a body that is not one."""
    if answer.status in (403, 429) and (answer.headers.get("X-RateLimit-Remaining") == "0"
                                        or answer.headers.get("Retry-After")):
        raise RateLimited(_refills_at(answer, time.time()))
    if answer.status == 304:
        return RepoState("unchanged")
    if answer.status in (404, 410, 451):
        return RepoState("gone")
    if answer.status == 403:  # blocked for this client, not limited: keep what is stored, ask again later
        return RepoState("unchanged")
    try:
        stars = json.loads(answer.body)["stargazers_count"]
    except (ValueError, KeyError, TypeError):
        raise SourceError("GitHub answered a repository without stargazers_count") from None
    if not isinstance(stars, int) or stars < 0:
        raise SourceError(f"GitHub answered stargazers_count {stars!r}")
    return RepoState("stars", stars, answer.headers.get("ETag", ""))


def _headers(etag: str) -> dict[str, str]:
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if settings.PAPERHUB_GITHUB_TOKEN:
        headers["Authorization"] = f"Bearer {settings.PAPERHUB_GITHUB_TOKEN}"
    if etag:
        headers["If-None-Match"] = etag
    return headers


def fetch_state(client: PoliteClient, repository: CodeRepository) -> RepoState:
    """Ask GitHub about one repository (conditionally, when its ETag is known)."""
    url = f"{settings.PAPERHUB_GITHUB_API_URL.rstrip('/')}/repos/{repository.full_name}"
    return repo_state(client.fetch(url, headers=_headers(repository.etag), keep=HANDLED))


@dataclass
class StarsRun:
    """What a refresh did: repositories asked about, by outcome, why it stopped early, or why it never started."""

    counts: dict[str, int] = field(default_factory=lambda: {"stars": 0, "unchanged": 0, "gone": 0})
    stopped: str = ""
    skipped: str = ""

    def line(self) -> str:
        """The run as one line, for the command and the job's result."""
        if self.skipped:
            return self.skipped
        done = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        return f"{sum(self.counts.values())} repositories checked ({done})" + (f"; {self.stopped}" if self.stopped
                                                                                else "")


def refresh_stars(limit: int | None = None, client: PoliteClient | None = None) -> StarsRun:
    """Ask GitHub for the stars of the repositories checked longest ago (never-checked first), at most `limit`;
    nothing while a rate limit a run met is still spent."""
    run = StarsRun()
    spent = checkpoints.load(*SPENT)
    if spent.cursor and float(spent.cursor) > time.time():
        run.skipped = f"GitHub's rate limit is spent until {_clock(float(spent.cursor))}; skipped"
        return run
    client = client or PoliteClient(settings.PAPERHUB_GITHUB_DELAY, shared=True, max_wait=60)
    for repository in repositories_due(settings.PAPERHUB_GITHUB_PER_RUN if limit is None else limit):
        try:
            state = fetch_state(client, repository)
        except RateLimited as exc:
            checkpoints.advance(spent, repr(exc.reset), 0)
            run.stopped = str(exc)
            log.warning("%s", exc)
            break
        if spent.cursor:  # the first answer since a limit: it has refilled
            checkpoints.advance(spent, "", 0)
        record_stars(repository, state.stars, state.etag, gone=state.kind == "gone")
        run.counts[state.kind] += 1
    return run
