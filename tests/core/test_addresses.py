"""The hub's public root: PAPERHUB_BASE_URL when the operator set it, else the request's, else the local default."""

import threading
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.urls import set_script_prefix

from paperhub.accounts import services as accounts
from paperhub.core.addresses import LOCAL, absolute, hub_root, link
from tests.factories import add_paper, user

PUBLIC = "https://papers.example.org"


def test_a_configured_base_url_wins_over_the_request(settings):
    """Behind nginx's default `Host: $proxy_host`, the request names the inner address; the links must not."""
    settings.PAPERHUB_BASE_URL = PUBLIC
    inner = RequestFactory().get("/papers/2611.00001", HTTP_HOST="127.0.0.1")
    assert hub_root(inner) == PUBLIC and hub_root() == PUBLIC
    assert absolute("/papers/2611.00001", inner) == f"{PUBLIC}/papers/2611.00001"


def test_unset_the_request_gives_its_host_port_and_scheme(settings):
    """A hub served on another port (or through a proxy passing the public host on) keeps linking to itself."""
    settings.PAPERHUB_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["localhost", "papers.example.org"]
    assert hub_root(RequestFactory().get("/", HTTP_HOST="localhost:8001")) == "http://localhost:8001"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = RequestFactory().get("/", HTTP_HOST="papers.example.org", HTTP_X_FORWARDED_PROTO="https")
    assert hub_root(proxied) == PUBLIC


def test_with_neither_the_local_default(settings):
    """A command sending mail has no request: `make run`'s address."""
    settings.PAPERHUB_BASE_URL, settings.PAPERHUB_BIND = "", "127.0.0.1:8000"
    assert hub_root() == LOCAL == "http://127.0.0.1:8000"


def test_with_neither_the_address_the_hub_is_served_on(settings):
    """`paperhub mcp` over stdio linked to port 8000 while `paperhub serve` served PAPERHUB_BIND=127.0.0.1:8011."""
    settings.PAPERHUB_BASE_URL, settings.PAPERHUB_BIND = "", "127.0.0.1:8011"
    assert hub_root() == "http://127.0.0.1:8011"
    assert absolute("/papers/2611.00001") == "http://127.0.0.1:8011/papers/2611.00001"
    for bind, root in [("0.0.0.0:8011", "http://127.0.0.1:8011"), ("[::]:8011", "http://[::1]:8011"),
                       ("[::1]:9000", "http://[::1]:9000"), ("::", "http://[::1]:8000"), (":8011", "http://127.0.0.1:8011"),
                       ("hub.example:80", "http://hub.example:80"), ("localhost", "http://localhost:8000"),
                       ("unix:/run/paperhub.sock", LOCAL)]:
        settings.PAPERHUB_BIND = bind
        assert hub_root() == root, bind


@pytest.mark.parametrize("base", ["", PUBLIC])
def test_a_decoded_path_is_encoded_as_the_request_would_be(settings, base):
    settings.PAPERHUB_BASE_URL = base
    request = RequestFactory().get("/authors/jos%C3%A9-1")
    assert absolute(request.path, request) == f"{base or 'http://testserver'}/authors/jos%C3%A9-1"


@pytest.fixture
def under_a_path(settings) -> Iterator[str]:
    """The hub served at https://lab.example/hub, behind a proxy that takes /hub off (docs/operations.md)."""
    settings.PAPERHUB_BASE_URL, settings.FORCE_SCRIPT_NAME = "https://lab.example/hub", "/hub"
    settings.STATIC_URL = "/hub/static/"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "lab.example"]
    yield settings.PAPERHUB_BASE_URL
    set_script_prefix("/")  # a request leaves its thread's prefix set: later tests' reverse() must not see ours


def _in_a_thread_of_its_own(make: object) -> str:
    """What `make()` gives in a new thread, which has no script prefix (as the MCP server's loop thread)."""
    made: list[str] = []
    thread = threading.Thread(target=lambda: made.append(make()))  # type: ignore[operator]
    thread.start()
    thread.join()
    return made[0]


def _served(path: str, **environ: str) -> str:
    """The page at `path` from Django's own WSGI handler, as gunicorn calls it (the test client does not set the
    thread's script prefix as the handler does)."""
    answer: dict[str, str] = {}
    wsgi = {**RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET"), **environ}
    request_started.disconnect(close_old_connections)  # as the test client does: the test's connection stays open
    try:
        body = b"".join(WSGIHandler()(wsgi, lambda status, headers, exc_info=None: answer.update(status=status)))
    finally:
        request_started.connect(close_old_connections)
    assert answer["status"].startswith("200"), answer
    return body.decode()


def test_under_a_path_pages_link_within_it_and_absolute_links_hold_it_once(db, under_a_path):
    """Relative links carry the path (the browser asks the proxy for /hub/...); absolute ones (canonical, mail,
    MCP) hold it once, whichever thread made them: one with the prefix set (a request, a command) or without."""
    add_paper("2611.00001", title="Sparse attention")
    html = _served("/papers/2611.00001", HTTP_HOST="lab.example")
    assert 'href="/hub/papers/search' in html and 'href="/hub/static/web/site.' in html
    assert 'href="/papers/' not in html and 'href="/static/' not in html
    assert '<link rel="canonical" href="https://lab.example/hub/papers/2611.00001">' in html
    feed = _served("/feeds/daily.atom", HTTP_HOST="lab.example")
    assert 'href="https://lab.example/hub/feeds/daily.atom"' in feed and "/hub/hub/" not in feed
    here = link(under_a_path, "paper", "2611.00001")
    assert here == "https://lab.example/hub/papers/2611.00001" == _in_a_thread_of_its_own(
        lambda: link(under_a_path, "paper", "2611.00001"))


def test_under_a_proxys_script_name_the_request_root_holds_it(settings, db):
    """No PAPERHUB_BASE_URL, a proxy passing SCRIPT_NAME: the root is the request's, with its path, once."""
    settings.PAPERHUB_BASE_URL = ""
    try:
        add_paper("2611.00009", title="Sparse attention")
        html = _served("/papers/2611.00009", SCRIPT_NAME="/lab")
        assert 'href="/lab/papers/trending"' in html
        assert '<link rel="canonical" href="http://testserver/lab/papers/2611.00009">' in html
    finally:
        set_script_prefix("/")


@pytest.mark.django_db(transaction=True)
def test_under_a_path_a_password_reset_mail_links_within_it_once(settings, run_tasks, under_a_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    accounts.verify(accounts.verify_token(user("ann")))
    set_script_prefix("/hub")  # as a worker's thread has it: django.setup() sets FORCE_SCRIPT_NAME's
    accounts.queue_password_reset("ann@example.org", under_a_path)
    run_tasks()
    [sent] = mail.outbox
    assert "https://lab.example/hub/accounts/reset/" in sent.body and "/hub/hub/" not in sent.body
