"""GitHub stars against GitHub's recorded answers, served on loopback."""

import logging
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from paperhub.ingest import checkpoints, github
from paperhub.jobs import tasks
from paperhub.papers.models import CodeRepository
from paperhub.papers.repositories import note_repositories
from tests.conftest import Reply

FIXTURES = Path(__file__).parent.parent / "fixtures"
REPO = (FIXTURES / "github_repo.json").read_bytes()
NOT_FOUND = (FIXTURES / "github_not_found.json").read_bytes()
LIMITED = (FIXTURES / "github_rate_limited.json").read_bytes()
JSON = {"Content-Type": "application/json; charset=utf-8"}
ETAG = 'W/"5d3b5f2c"'

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(source_server, settings):
    settings.PAPERHUB_GITHUB_API_URL = source_server.url
    settings.PAPERHUB_GITHUB_DELAY = 0
    settings.PAPERHUB_GITHUB_TOKEN = ""
    return source_server


def repo(name="mrazhou/seta"):
    note_repositories([f"https://github.com/{name}"])
    return CodeRepository.objects.get(full_name=name)


def test_stars_and_etag_stored(api):
    api.routes["/repos/mrazhou/seta"] = lambda q: Reply(REPO, headers={**JSON, "ETag": ETAG})
    stored = repo()
    run = github.refresh_stars()
    stored.refresh_from_db()
    assert (stored.stars, stored.etag, stored.gone) == (1234, ETAG, False) and stored.checked_at
    assert run.line() == "1 repositories checked (1 stars, 0 unchanged, 0 gone)"
    assert "Authorization" not in api.headers[0] and "If-None-Match" not in api.headers[0]


def test_304_keeps_the_stored_count(api):
    api.routes["/repos/mrazhou/seta"] = lambda q: (Reply(b"", 304, {"ETag": ETAG})
                                                    if api.headers[-1].get("If-None-Match") == ETAG
                                                    else Reply(REPO, headers={**JSON, "ETag": ETAG}))
    stored = repo()
    github.refresh_stars()
    first = CodeRepository.objects.get(pk=stored.pk).checked_at
    run = github.refresh_stars()
    stored.refresh_from_db()
    assert api.headers[1]["If-None-Match"] == ETAG
    assert run.counts == {"stars": 0, "unchanged": 1, "gone": 0}
    assert stored.stars == 1234 and stored.etag == ETAG and stored.checked_at > first


@pytest.mark.parametrize("status", [404, 451])
def test_a_gone_repository_has_no_stars(api, status):
    api.routes["/repos/mrazhou/seta"] = lambda q: Reply(NOT_FOUND, status, JSON)
    stored = repo()
    CodeRepository.objects.filter(pk=stored.pk).update(stars=5, etag=ETAG)
    assert github.refresh_stars().counts["gone"] == 1
    stored.refresh_from_db()
    assert (stored.stars, stored.gone) == (None, True) and stored.checked_at


def test_rate_limit_stops_the_run_and_the_next_goes_on(api, settings):
    limited = {**JSON, "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1767225600"}
    api.routes["/repos/a/one"] = lambda q: Reply(REPO, headers=JSON)
    api.routes["/repos/b/two"] = lambda q: Reply(LIMITED, 403, limited)
    for name in ("a/one", "b/two", "c/three"):
        repo(name)
    run = github.refresh_stars()
    assert run.counts["stars"] == 1 and "rate limit is spent until 00:00 UTC" in run.stopped
    assert [p for p, _ in api.requests] == ["/repos/a/one", "/repos/b/two"]  # no retry, nothing after
    assert CodeRepository.objects.get(full_name="b/two").checked_at is None
    api.routes["/repos/b/two"] = api.routes["/repos/c/three"] = lambda q: Reply(REPO, headers=JSON)
    settings.PAPERHUB_GITHUB_PER_RUN = 2
    assert github.refresh_stars().counts["stars"] == 2  # the unchecked two first (the reset has passed)
    assert [p for p, _ in api.requests][2:] == ["/repos/b/two", "/repos/c/three"] and spent_until() == ""


def spent_until() -> str:
    return checkpoints.load(*github.SPENT).cursor


def clock(epoch: float) -> str:
    return time.strftime("%H:%M UTC", time.gmtime(epoch))


def test_a_spent_limit_is_kept_and_runs_before_its_reset_ask_nothing(api):
    reset = int(time.time()) + 2 * 3600
    limited = {**JSON, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
    api.routes["/repos/mrazhou/seta"] = lambda q: Reply(LIMITED, 403, limited)
    repo()
    assert f"spent until {clock(reset)}" in github.refresh_stars().stopped
    assert float(spent_until()) == reset and len(api.requests) == 1
    skipped = f"GitHub's rate limit is spent until {clock(reset)}; skipped"
    assert github.refresh_stars().line() == skipped
    assert tasks.refresh_github_stars.call() == {"summary": skipped}
    out = StringIO()
    call_command("links", "stars", stdout=out)
    assert out.getvalue().strip() == skipped
    assert len(api.requests) == 1  # not one call more
    assert CodeRepository.objects.get(full_name="mrazhou/seta").checked_at is None


def test_a_run_after_the_reset_asks_again_clears_it_and_keeps_a_new_one(api):
    checkpoints.advance(checkpoints.load(*github.SPENT), repr(time.time() - 60), 0)
    api.routes["/repos/a/one"] = api.routes["/repos/b/two"] = lambda q: Reply(REPO, headers=JSON)
    for name in ("a/one", "b/two"):
        repo(name)
    assert github.refresh_stars().counts["stars"] == 2
    assert spent_until() == "" and len(api.requests) == 2
    api.routes["/repos/b/two"] = lambda q: Reply(LIMITED, 429, {**JSON, "Retry-After": "600"})
    CodeRepository.objects.update(checked_at=None)
    checkpoints.advance(checkpoints.load(*github.SPENT), repr(time.time() - 60), 0)
    run = github.refresh_stars()  # a/one clears the old reset, b/two keeps the new one
    assert run.counts["stars"] == 1 and "rate limit" in run.stopped
    assert float(spent_until()) > time.time() + 590


def test_429_with_retry_after_is_a_limit_too(api):
    api.routes["/repos/mrazhou/seta"] = lambda q: Reply(LIMITED, 429, {**JSON, "Retry-After": "60"})
    repo()
    before = time.time()
    assert "rate limit" in github.refresh_stars().stopped
    assert before + 60 <= float(spent_until()) <= time.time() + 60
    assert github.refresh_stars().skipped and len(api.requests) == 1


@pytest.mark.parametrize(("headers", "wait"), [
    ({"X-RateLimit-Remaining": "0"}, github.UNSAID_WAIT),  # GitHub said nothing of when
    ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "soon"}, github.UNSAID_WAIT),
    ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "nan"}, github.UNSAID_WAIT),
    ({"Retry-After": "120", "X-RateLimit-Remaining": "4000", "X-RateLimit-Reset": "4102444800"}, 120),  # secondary
    ({"Retry-After": "9e12"}, github.LONGEST_WAIT),
])
def test_the_wait_a_limited_answer_asks(api, headers, wait):
    api.routes["/repos/mrazhou/seta"] = lambda q: Reply(LIMITED, 403, {**JSON, **headers})
    repo()
    before = time.time()
    github.refresh_stars()
    assert before + wait <= float(spent_until()) <= time.time() + wait
    assert github.refresh_stars().skipped and len(api.requests) == 1


def test_token_sent_as_authorization_and_never_logged(api, settings, caplog):
    settings.PAPERHUB_GITHUB_TOKEN = "ghp_secret123"
    api.routes["/repos/mrazhou/seta"] = lambda q: Reply(b"oops", 500)
    repo()
    with caplog.at_level(logging.DEBUG), pytest.raises(github.SourceError):
        github.refresh_stars()
    assert api.headers[0]["Authorization"] == "Bearer ghp_secret123"
    assert api.headers[0]["Accept"] == "application/vnd.github+json"
    assert "ghp_secret123" not in caplog.text and "retrying" in caplog.text


def test_per_run_cap_and_the_job(api, settings):
    settings.PAPERHUB_GITHUB_PER_RUN = 2
    api.routes.update({f"/repos/o/r{i}": (lambda q: Reply(REPO, headers=JSON)) for i in range(3)})
    for i in range(3):
        repo(f"o/r{i}")
    result = tasks.refresh_github_stars.call()
    assert result == {"summary": "2 repositories checked (2 stars, 0 unchanged, 0 gone)"}
    assert CodeRepository.objects.filter(stars=1234).count() == 2


def test_a_body_without_stars_fails_the_job_clearly(api):
    api.routes["/repos/mrazhou/seta"] = lambda q: Reply(b'{"message": "hi"}', headers=JSON)
    repo()
    with pytest.raises(tasks.JobFailed, match="without stargazers_count.*next run"):
        tasks.refresh_github_stars.call()


def test_links_command_fills_and_checks(api):
    api.routes["/repos/mrazhou/seta"] = lambda q: Reply(REPO, headers=JSON)
    repo()
    out = StringIO()
    call_command("links", "stars", "--limit", "5", stdout=out)
    assert "1 repositories checked (1 stars" in out.getvalue()
    call_command("links", "find", stdout=out)
    assert "0 papers without a code link or project page read: 0 new code links" in out.getvalue()
