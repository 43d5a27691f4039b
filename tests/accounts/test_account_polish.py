"""Small honesties of the account pages: the tokens page's verify note only when unverified, a new token's secret
shown once without a reload making another, a logout page for GET, a way on from "Address verified", and a
refused form's wrong fields marked and the first focused."""

import re

from django.test import Client

from paperhub.accounts import services as accounts
from paperhub.core.models import ApiToken
from tests.factories import user


def test_the_verify_note_shows_only_for_an_unverified_address(db):
    ann = user("ann")
    client = Client()
    client.force_login(ann)
    assert "verify it to get password resets" in client.get("/accounts/tokens/").content.decode()
    accounts.verify(accounts.verify_token(ann))
    assert "verify it to get password resets" not in client.get("/accounts/tokens/").content.decode()


def test_a_new_tokens_secret_is_shown_once_and_a_reload_makes_no_second_token(db):
    client = Client()
    client.force_login(user("ann"))
    made = client.post("/accounts/tokens/", {"name": "laptop"})
    assert made.status_code == 302 and made["Location"] == "/accounts/tokens/"
    shown = client.get("/accounts/tokens/")
    secret = re.search(r'<code id="new-token">([^<]+)</code>', shown.content.decode())[1]
    assert "no-store" in shown["Cache-Control"]
    reloaded = client.get("/accounts/tokens/").content.decode()  # what a reload does after the redirect
    assert secret not in reloaded and 'id="new-token"' not in reloaded
    assert ApiToken.objects.count() == 1


def test_get_on_logout_is_a_page_with_the_button(db):
    client = Client()
    client.force_login(user("ann"))
    page = client.get("/accounts/logout/")
    html = page.content.decode()
    assert page.status_code == 200 and "You are logged in as <strong>ann</strong>" in html
    assert re.search(r'<form method="post" action="/accounts/logout/">.*?<button type="submit">Log out</button>', html)
    assert "_auth_user_id" in client.session  # a GET logs nobody out
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
    assert "You are not logged in" in client.get("/accounts/logout/").content.decode()


def test_address_verified_leads_on(db):
    ann = user("ann")
    html = Client().post(f"/accounts/verify/{accounts.verify_token(ann)}").content.decode()
    assert "Address verified" in html and 'href="/accounts/login/"' in html
    client = Client()
    client.force_login(ann)
    html = client.post(f"/accounts/verify/{accounts.verify_token(ann)}").content.decode()
    assert 'href="/accounts/email/"' in html


def _input(html: str, name: str) -> str:
    return re.search(rf'<input [^>]*name="{name}"[^>]*>', html)[0]


def test_a_refused_form_marks_its_wrong_fields_and_focuses_the_first(db):
    user("ann")
    login = Client().post("/accounts/login/", {"username": "ann", "password": "wrong-guess"}).content.decode()
    assert 'id="form-errors"' in login  # a wrong username or password is the whole form's error: both fields say it
    for name in ("username", "password"):
        assert 'aria-invalid="true"' in _input(login, name) and 'aria-describedby="form-errors"' in _input(login, name)
    assert "autofocus" in _input(login, "username") and "autofocus" not in _input(login, "password")

    signup = Client().post("/accounts/signup/", {"username": "bob", "email": "b@example.org",
                                                 "password1": "a-good-long-passphrase", "password2": "another"})
    html = signup.content.decode()
    assert "autofocus" in _input(html, "password2") and "autofocus" not in _input(html, "username")
    assert 'id_password2_error"' in _input(html, "password2") and 'id="id_password2_error"' in html
    assert "aria-invalid" not in _input(html, "username")
    assert "autofocus" in _input(Client().get("/accounts/login/").content.decode(), "username")  # untouched unsent
