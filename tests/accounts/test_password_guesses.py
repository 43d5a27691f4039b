"""Wrong current passwords from a signed-in session (changing the address or the password) are counted per
account: past PAPERHUB_PASSWORD_GUESS_RATE the hub answers 429 and refuses the right password too, changing
nothing, until the window ends."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperhub.core import limits
from tests.factories import PASSWORD, user

NEW = "a-brand-new-long-pass-9"


def _email(client: Client, password: str):
    return client.post("/accounts/email/change", {"email": "ann.new@example.org", "password": password})


def _password(client: Client, password: str):
    return client.post("/accounts/password_change/", {"old_password": password, "new_password1": NEW,
                                                      "new_password2": NEW})


def _later(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """Move the limits' clock on (the suite pins it to a second into a day)."""
    now = limits.time.time()
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: now + seconds))


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "wrong"), [(_email, 400), (_password, 200)])  # (Django's form answers 200)
def test_wrong_passwords_past_the_limit_lock_the_right_one_out_until_the_window_ends(change, wrong, settings,
                                                                                     monkeypatch):
    settings.PAPERHUB_PASSWORD_GUESS_RATE = "3/hour"
    ann = user("ann")
    client = Client()
    client.force_login(ann)
    assert [change(client, f"guess-{n}").status_code for n in range(3)] == [wrong] * 3
    refused = change(client, "guess-4")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many wrong passwords" in refused.content.decode()
    right = change(client, PASSWORD)
    assert right.status_code == 429  # the right password too, until the window ends
    ann.refresh_from_db()
    assert ann.email == "ann@example.org" and ann.check_password(PASSWORD)
    bob = Client()
    bob.force_login(user("bob"))
    assert change(bob, PASSWORD).status_code == 302  # counted per account: another's is not locked

    _later(monkeypatch, 3600)
    assert change(client, PASSWORD).status_code == 302
    ann = User.objects.get(pk=ann.pk)
    assert ann.email == "ann.new@example.org" or ann.check_password(NEW)


@pytest.mark.django_db
def test_the_right_password_is_not_counted(settings):
    settings.PAPERHUB_PASSWORD_GUESS_RATE = "1/hour"
    client = Client()
    client.force_login(user("ann"))
    assert [_email(client, PASSWORD).status_code for _ in range(3)] == [302, 302, 302]
    assert _email(client, "wrong").status_code == 400


@pytest.mark.django_db
def test_a_guess_is_counted_before_its_password_is_checked(settings, monkeypatch):
    """Guesses sent at once each find the others counted: the count comes before the hash's third of a second."""
    settings.PAPERHUB_PASSWORD_GUESS_RATE = "3/hour"
    ann = user("ann")
    client = Client()
    client.force_login(ann)
    counted: list[int] = []
    check = User.check_password

    def checking(self: User, raw: str) -> bool:
        counted.append(sum(limits.RateWindow.objects.filter(client=f"password:{ann.pk}").values_list("count",
                                                                                                     flat=True)))
        return check(self, raw)

    monkeypatch.setattr(User, "check_password", checking)
    _email(client, "guess-1")
    _email(client, PASSWORD)  # right: counted while checked, then forgiven
    assert counted[:2] == [1, 2]
    assert limits.RateWindow.objects.get(client=f"password:{ann.pk}").count == 1


@pytest.mark.django_db
def test_the_admins_password_page_is_the_one_that_counts(client):
    staff = user("staff")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    for method in (client.get, client.post):
        answer = method("/admin/password_change/")
        assert answer.status_code == 302 and answer["Location"] == "/accounts/password_change/"
