"""The hub's public root: PAPERHUB_BASE_URL when the operator set it, else the request's, else the local default."""

import pytest
from django.test import RequestFactory

from paperhub.core.addresses import LOCAL, absolute, hub_root

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
    settings.PAPERHUB_BASE_URL = ""
    assert hub_root() == LOCAL == "http://127.0.0.1:8000"


@pytest.mark.parametrize("base", ["", PUBLIC])
def test_a_decoded_path_is_encoded_as_the_request_would_be(settings, base):
    settings.PAPERHUB_BASE_URL = base
    request = RequestFactory().get("/authors/jos%C3%A9-1")
    assert absolute(request.path, request) == f"{base or 'http://testserver'}/authors/jos%C3%A9-1"
