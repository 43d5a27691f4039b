"""Accounts in public (issue 16, items 4, 5, 6, 8b): login, reset and sign-up limits, verified addresses,
reset mail from the queue, and usernames no one can mistake for another's."""

import logging
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration
from django.contrib.auth.models import User
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from paperhub.accounts import names
from paperhub.accounts import services as accounts
from tests.factories import PASSWORD, user


@pytest.fixture
def ann(db) -> User:
    return user("ann")


def verified(user: User) -> User:
    return accounts.verify(accounts.verify_token(user))


def _login(client: Client, username: str, password: str, address: str = "192.0.2.1", path: str = "/accounts/login/",
           **headers: str):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


# --- login limits (django-axes) -----------------------------------------------------------------------------

def test_the_right_password_after_100_wrong_ones_is_refused(ann):
    client = Client()
    for _ in range(100):
        assert _login(client, "ann", "wrong-guess").status_code in (200, 429)
    response = _login(client, "ann", PASSWORD)
    assert response.status_code == 429 and "Login locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The account is locked from anywhere, and the address for any account.
    assert _login(Client(), "ann", PASSWORD, address="198.51.100.7").status_code == 429
    user("bob")
    assert _login(Client(), "bob", PASSWORD).status_code == 429
    assert _login(Client(), "bob", PASSWORD, address="198.51.100.7").status_code == 302


def test_a_lockout_ends_after_the_cool_off(ann, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "ann", "wrong-guess")
    assert _login(Client(), "ann", PASSWORD).status_code == 429
    # The cool-off passes: the stored tries age by an hour (no sleeping, so a slow machine cannot let the first
    # tries expire before the lockout is checked, as a 1-second cool-off did).
    past = timezone.now() - timedelta(hours=1)
    AccessAttempt.objects.update(attempt_time=past)
    AccessAttemptExpiration.objects.update(expires_at=past)
    assert _login(Client(), "ann", PASSWORD).status_code == 302


def test_the_login_limit_keys_on_the_forwarded_address_behind_a_proxy(ann, settings):
    settings.NINJA_NUM_PROXIES = 1
    for i in range(settings.AXES_FAILURE_LIMIT):  # many names, one client behind the proxy
        _login(Client(), f"nobody{i}", "x", address="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert _login(Client(), "ann", PASSWORD, address="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert _login(Client(), "ann", PASSWORD, address="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302


def test_a_login_logs_nothing_from_the_login_limits_but_a_lockout(ann, settings, caplog):
    """django-axes logged "Cleaned up 0 expired access attempts" at INFO on every login, a line each in the hub's log."""
    caplog.set_level(logging.INFO)
    assert _login(Client(), "ann", PASSWORD).status_code == 302
    assert [r.getMessage() for r in caplog.records if r.name.startswith("axes")] == []
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "ann", "wrong-guess")
    assert [r.levelname for r in caplog.records if "Locking out" in r.getMessage()] == ["WARNING"]


def test_the_admin_login_is_limited_too(db, settings):
    User.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "boss", "wrong-guess", path="/admin/login/")
    response = _login(Client(), "boss", PASSWORD, path="/admin/login/", address="198.51.100.7")
    assert response.status_code == 429


# --- password resets: from the queue, to the verified account only, limited ---------------------------------

@pytest.mark.django_db(transaction=True)
def test_one_reset_request_mails_only_the_account_that_verified_the_address(mail_sink, run_tasks):
    owners = [user(f"user{i}", "shared@example.org") for i in range(20)]
    client = Client()
    client.post("/accounts/password_reset/", {"email": "shared@example.org"})
    run_tasks()
    assert mail_sink.messages == []  # nobody proved the address: no reset goes to it
    verified(owners[7])
    client.post("/accounts/password_reset/", {"email": "Shared@Example.org"}, REMOTE_ADDR="198.51.100.7")
    run_tasks()
    assert len(mail_sink.messages) == 1
    body = mail_sink.messages[0].get_body(("plain",)).get_content()
    assert mail_sink.messages[0]["To"] == "shared@example.org" and "user7" in body


@pytest.mark.django_db(transaction=True)
def test_the_reset_answer_is_the_same_for_known_and_unknown_addresses(mail_sink, run_tasks):
    verified(user("ann"))
    known = Client().post("/accounts/password_reset/", {"email": "ann@example.org"})
    unknown = Client().post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"]) \
        == (302, "/accounts/password_reset/done/")
    assert mail_sink.messages == []  # not sent in the request: by the queue
    run_tasks()
    assert [m["To"] for m in mail_sink.messages] == ["ann@example.org"]


@pytest.mark.django_db(transaction=True)
def test_reset_mails_to_one_address_are_capped(mail_sink, run_tasks, settings):
    verified(user("ann"))
    answers = [Client().post("/accounts/password_reset/", {"email": "ann@example.org"}, REMOTE_ADDR=f"192.0.2.{i}")
               .status_code for i in range(15)]
    assert answers == [302] * 3 + [429] * 12
    run_tasks()
    assert len(mail_sink.messages) == 3


def test_reset_requests_from_one_client_are_capped(db):
    client = Client()
    answers = [client.post("/accounts/password_reset/", {"email": f"n{i}@example.org"}).status_code
               for i in range(12)]
    assert answers == [302] * 10 + [429] * 2
    assert "Too many password resets" in client.post("/accounts/password_reset/", {"email": "x@example.org"}) \
        .content.decode()


# --- sign-up: limited, and the address verified by a link mailed from the queue -----------------------------

def _signup(client: Client, name: str, address: str = "192.0.2.1", email: str = ""):
    return client.post("/accounts/signup/", {"username": name, "email": email or f"{name}@example.org",
                                             "password1": "a-good-long-passphrase",
                                             "password2": "a-good-long-passphrase"}, REMOTE_ADDR=address)


def test_sign_ups_from_one_client_are_capped(db):
    answers = [_signup(Client(), f"reader{i}").status_code for i in range(8)]
    assert answers == [302] * 5 + [429] * 3
    assert User.objects.count() == 5
    assert _signup(Client(), "elsewhere", address="198.51.100.7").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_new_account_verifies_its_address_through_the_mailed_link(mail_sink, run_tasks):
    client = Client()
    assert _signup(client, "reader").status_code == 302
    reader = User.objects.get(username="reader")
    assert not accounts.is_verified(reader)
    assert "is not verified yet" in client.get("/accounts/email/").content.decode()
    run_tasks()
    link = re.search(r"http://testserver(/accounts/verify/\S+)", mail_sink.messages[0].get_content())[1]
    assert "Verify my address" in Client().get(link).content.decode()  # a GET (a mail scanner) changes nothing
    assert not accounts.is_verified(reader)
    assert "Address verified" in Client().post(link).content.decode()
    assert accounts.is_verified(reader)
    assert "is verified" in client.get("/accounts/email/").content.decode()
    # Another account with the same address cannot verify it as well.
    twin = user("twin", "reader@example.org")
    assert Client().post(f"/accounts/verify/{accounts.verify_token(twin)}").status_code == 400
    assert accounts.verified_user("READER@example.org") == reader


@pytest.mark.django_db(transaction=True)
def test_an_existing_account_asks_for_the_link_again_a_few_times(mail_sink, run_tasks, settings):
    client = Client()
    client.force_login(user("old"))
    assert [client.post("/accounts/email/").status_code for _ in range(5)] == [302] * 3 + [429] * 2
    run_tasks()
    assert len(mail_sink.messages) == 3
    assert Client().post("/accounts/verify/forged").status_code == 400


# --- usernames ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "error"), [
    ("admin", "reserved"), ("Administrator", "reserved"), ("ADMlN", "reserved"), ("feeds", "reserved"),
    ("\u0430dmin", "one script"), ("\u0430lice", "one script"), ("ALICE", "already exists"), ("AL1CE", "too like"), ("al1ce", "too like"),
])
def test_reserved_and_look_alike_usernames_are_refused(db, name, error):
    user("alice")
    response = _signup(Client(), name, email="x@example.org")
    assert response.status_code == 200 and error in response.content.decode()
    assert not User.objects.filter(username=name).exists()


def test_ordinary_names_in_any_one_script_are_welcome(db):
    for name in ("mary-jane_2", "\u0438\u0432\u0430\u043d", "zoe"):
        assert names.problem(name, lambda looks: bool(looks & (names.shapes("alice") | names.shapes("bob")))) is None


def test_the_sites_own_paths_are_reserved():
    firsts = {str(p.pattern).strip("^/").split("/")[0].split("<")[0] for p in get_resolver().url_patterns}
    firsts |= {str(p.pattern).strip("^/").split("/")[0] for p in get_resolver("paperhub.web.urls").url_patterns}
    firsts = {f.rstrip("$") for f in firsts if f and re.fullmatch(r"[a-z-]+", f.rstrip("$"))}
    assert firsts and not firsts - names.RESERVED, f"not reserved: {firsts - names.RESERVED}"
