"""The account pages are the hub's own: password reset and change in the site's layout (not the admin's, whose
templates of the same names Django would otherwise pick), and the reset mail in the hub's words."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperhub.accounts import services as accounts
from tests.factories import user


def _hub_page(response) -> str:
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="site-q"' in html and 'aria-label="Main"' in html, "not the hub's layout"
    assert "administration" not in html and "/admin/" not in html, "the admin's layout"
    return html


@pytest.mark.django_db(transaction=True)
def test_every_password_page_is_in_the_hubs_layout(mail_sink, run_tasks):
    ann = user("ann")
    accounts.verify(accounts.verify_token(ann))
    client = Client()
    assert "Reset your password" in _hub_page(client.get("/accounts/password_reset/"))
    assert "Check your email" in _hub_page(client.post("/accounts/password_reset/", {"email": "ann@example.org"},
                                                       follow=True))
    run_tasks()
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail_sink.messages[0].get_content())[1]
    assert "Choose a new password" in _hub_page(client.get(link, follow=True))
    set_password = client.get(link).url  # Django moves the token into the session, then asks on set-password/
    done = client.post(set_password, {"new_password1": "another-long-pass-7", "new_password2": "another-long-pass-7"},
                       follow=True)
    assert "Password changed" in _hub_page(done)
    assert "Ask for a new one" in _hub_page(client.get(set_password))  # used: the link no longer works

    client.force_login(User.objects.get(username="ann"))
    html = _hub_page(client.get("/accounts/password_change/"))
    assert "Change your password" in html and 'name="old_password"' in html
    changed = client.post("/accounts/password_change/", {"old_password": "another-long-pass-7",
                                                          "new_password1": "a-third-long-pass-8",
                                                          "new_password2": "a-third-long-pass-8"}, follow=True)
    assert "Password changed" in _hub_page(changed)
    assert User.objects.get(username="ann").check_password("a-third-long-pass-8")


@pytest.mark.django_db(transaction=True)
def test_the_reset_mail_is_the_hubs_own(mail_sink, run_tasks):
    accounts.verify(accounts.verify_token(user("ann")))
    Client().post("/accounts/password_reset/", {"email": "ann@example.org"})
    run_tasks()
    [message] = mail_sink.messages
    body = message.get_content()
    assert message["Subject"] == "Reset your paperhub password"
    assert "Hello ann," in body and "paperhub account" in body and "ignore this mail" in body
    assert "testserver team" not in body and "Password reset on" not in body
    assert re.search(r"^http://testserver/accounts/reset/[\w-]+/[\w-]+/\s*$", body, flags=re.M), body



def _rules(html: str) -> str:
    return re.search(r'<span class="meta" id="id_new_password1_helptext">(.*?)</span>', html, flags=re.S)[1]


def test_the_reset_page_lists_the_password_rules_the_change_page_lists(db):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    ann = user("ann")
    client = Client()
    link = f"/accounts/reset/{urlsafe_base64_encode(force_bytes(ann.pk))}/{default_token_generator.make_token(ann)}/"
    reset = _hub_page(client.get(link, follow=True))
    assert "Choose a new password" in reset and 'aria-describedby="id_new_password1_helptext"' in reset
    client.force_login(ann)
    change = _hub_page(client.get("/accounts/password_change/"))
    assert _rules(reset) == _rules(change)
    assert "at least 8 characters" in _rules(reset) and "commonly used password" in _rules(reset)
