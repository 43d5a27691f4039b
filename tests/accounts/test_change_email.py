"""Changing one's address on /accounts/email/: the link goes to the new address, a verified old one stays in force
until the new one is proved, an address another account verified is refused, and the requests are limited."""

import base64
import re

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperhub.accounts import services as accounts
from paperhub.accounts.models import PendingAddress
from paperhub.core import mail
from tests.factories import PASSWORD, user


def _change(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/email/change", {"email": email, "password": password})


def _verified_client(name: str) -> tuple[User, Client]:
    """An account with its address verified, and a client logged in as it."""
    person = user(name)
    accounts.verify(accounts.verify_token(person))
    client = Client()
    client.force_login(person)
    return person, client


def _link(message) -> str:
    return re.search(r"http://testserver(/accounts/verify/\S+)", message.get_content())[1]


@pytest.mark.django_db(transaction=True)
def test_a_verified_address_stays_until_the_new_one_is_proved(mail_sink, run_tasks):
    ann, client = _verified_client("ann")
    answer = _change(client, "Ann.New@example.org")
    assert answer.status_code == 302
    page = client.get("/accounts/email/").content.decode()
    assert "We are sending a link to Ann.New@example.org" in page and "until then it stays ann@example.org" in page
    assert "change it to <strong>Ann.New@example.org</strong>" in page
    run_tasks()
    [message] = mail_sink.messages
    assert message["To"] == "Ann.New@example.org"
    text = " ".join(message.get_content().split())
    assert "change your paperhub account's address from ann@example.org to this one" in text
    assert "If you did not make this account" not in text  # (the sign-up text it reused)
    # Until the link is followed the old address keeps the account's resets.
    assert accounts.verified_user("ann@example.org") == ann and accounts.verified_user("ann.new@example.org") is None
    assert "Address verified" in Client().post(_link(message)).content.decode()
    ann.refresh_from_db()
    assert ann.email == "Ann.New@example.org" and accounts.is_verified(ann)
    assert accounts.verified_user("ann@example.org") is None and not PendingAddress.objects.exists()
    assert Client().post(_link(message)).status_code == 200  # following it twice does no harm


@pytest.mark.django_db(transaction=True)
def test_an_unverified_address_with_a_typo_is_replaced_at_once(mail_sink, run_tasks):
    bob = user("bob", "bob@exmaple.org")
    client = Client()
    client.force_login(bob)
    accounts.queue_verification(bob, "http://testserver")
    _change(client, "bob@example.org")
    bob.refresh_from_db()
    assert bob.email == "bob@example.org" and not PendingAddress.objects.exists()
    run_tasks()
    assert [m["To"] for m in mail_sink.messages] == ["bob@example.org", "bob@example.org"]  # never the typo
    stale = accounts.verify_token(User(pk=bob.pk, email="bob@exmaple.org"))
    assert Client().post(f"/accounts/verify/{stale}").status_code == 400
    Client().post(_link(mail_sink.messages[-1]))
    assert accounts.is_verified(User.objects.get(pk=bob.pk))


@pytest.mark.django_db(transaction=True)
def test_changing_back_cancels_a_pending_change(mail_sink, run_tasks):
    ann, client = _verified_client("ann")
    _change(client, "other@example.org")
    run_tasks()
    link = _link(mail_sink.messages[0])
    assert "Your address stays ann@example.org" in client.post(
        "/accounts/email/change", {"email": "ANN@example.org", "password": PASSWORD}, follow=True).content.decode()
    run_tasks()
    assert len(mail_sink.messages) == 1 and not PendingAddress.objects.exists()
    assert Client().post(link).status_code == 400  # the link for the abandoned address no longer works
    assert User.objects.get(pk=ann.pk).email == "ann@example.org"


@pytest.mark.django_db
def test_refused_changes(client):
    ann, bob = user("ann"), user("bob")
    accounts.verify(accounts.verify_token(bob))
    client.force_login(ann)
    for email, password, error in [
        ("bob@example.org", PASSWORD, "Another account has verified this address."),
        ("BOB@example.org", PASSWORD, "Another account has verified this address."),
        ("new@example.org", "wrong", "That is not your current password."),
        ("not an address", PASSWORD, "Enter a valid email address."),
        ("x" * 250 + "@example.org", PASSWORD, "at most 254 characters"),
        ("<script>alert(1)</script>@example.org", PASSWORD, "Enter a valid email address."),
    ]:
        response = _change(client, email, password)
        html = response.content.decode()
        assert response.status_code == 400 and error in html.replace("&#x27;", "'"), email
        assert "<script>alert" not in html
    assert User.objects.get(pk=ann.pk).email == "ann@example.org" and not PendingAddress.objects.exists()
    assert Client().post("/accounts/email/change", {"email": "new@example.org", "password": PASSWORD}).status_code \
        == 302  # to the login page
    assert client.get("/accounts/email/change").status_code == 405


@pytest.mark.django_db
def test_changes_are_limited_per_account_and_per_address(client):
    ann = user("ann")
    client.force_login(ann)
    answers = [_change(client, f"ann{i}@example.org").status_code for i in range(5)]
    assert answers == [302] * 3 + [429] * 2
    targets = [user(f"u{i}") for i in range(5)]
    answers = []
    for target in targets:
        other = Client()
        other.force_login(target)
        answers.append(_change(other, "popular@example.org").status_code)
    assert answers == [302] * 3 + [429] * 2
    # wrong passwords spend nothing: another account cannot use up an address's three mails an hour
    wrong = [_change(client, "target@example.org", "not-the-password").status_code for _ in range(5)]
    stranger = Client()
    stranger.force_login(user("stranger"))
    assert wrong == [400] * 5 and _change(stranger, "target@example.org").status_code == 302


def test_the_password_change_page_is_linked_from_the_account_pages(db):
    client = Client()
    client.force_login(user("ann"))
    assert 'href="/accounts/password_change/"' in client.get("/accounts/email/").content.decode()
    assert 'href="/accounts/password_change/"' in client.get("/users/ann").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_pages_name_the_address_the_link_went_to_only_to_its_owner(mail_sink, run_tasks):
    ann, client = _verified_client("ann")
    _change(client, "Ann.New@example.org")
    page = client.get("/accounts/email/").content.decode()
    assert "A link to <strong>Ann.New@example.org</strong> is on its way" in page
    run_tasks()
    link = _link(mail_sink.messages[0])
    sent_to = "This link was sent to <strong>Ann.New@example.org</strong>"
    assert sent_to in client.get(link).content.decode()
    assert "A link was sent to <strong>Ann.New@example.org</strong>" in client.get("/accounts/email/").content.decode()
    bob = Client()
    bob.force_login(user("bob"))
    for stranger in (Client(), bob):  # a forwarded link, or one opened in another account's session
        asking = stranger.get(link).content.decode()
        assert "Verify my address" in asking and "example.org" not in asking.split("<main")[1].split("</main>")[0]
    assert "ann.new" not in client.get("/accounts/verify/forged").content.decode().lower()
    done = bob.post(link).content.decode()
    assert "Address verified" in done and "Ann.New" not in done and "ann.new" not in done
    assert "Your address <strong>Ann.New@example.org</strong> can now receive" in client.post(link).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_old_address_is_told_once_the_new_one_is_proved(mail_sink, run_tasks, settings, closed_port):
    ann, client = _verified_client("ann")
    _change(client, "Nora.New@example.org")
    run_tasks()
    assert [m["To"] for m in mail_sink.messages] == ["Nora.New@example.org"]  # nothing to the old one yet
    link = _link(mail_sink.messages[0])
    settings.EMAIL_PORT = closed_port  # the mail server is away when the change takes effect
    assert "Address verified" in Client().post(link).content.decode()  # the request only queues the notice
    [failed] = run_tasks()
    assert failed.status == TaskResultStatus.FAILED and "try 2 of 4 is queued" in failed.traceback
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.priority == mail.PRIORITY and retry.args_kwargs["kwargs"] == {"attempt": 2}
    settings.EMAIL_PORT = mail_sink.port
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_tasks()
    notice = mail_sink.messages[-1]
    text = " ".join(notice.get_content().split())
    assert notice["To"] == "ann@example.org" and notice["Subject"] == "Your paperhub address changed"
    assert "The address of your paperhub account ann at http://testserver changed from this one to " \
           f"N***@example.org on {timezone.now():%-d %B %Y}" in text
    assert "nora" not in text.lower()  # the new address, masked: whoever reads the old mailbox cannot write to it
    assert "If this was not you" in text and "http://testserver/accounts/password_change/" in text
    Client().post(link)  # following the link again changes nothing and tells nobody again
    assert run_tasks() == [] and len(mail_sink.messages) == 2


@pytest.mark.django_db(transaction=True)
def test_an_unverified_address_replaced_is_told_nothing(mail_sink, run_tasks):
    bob = user("bob", "bob@exmaple.org")
    client = Client()
    client.force_login(bob)
    _change(client, "bob@example.org")
    run_tasks()
    Client().post(_link(mail_sink.messages[0]))
    assert accounts.is_verified(User.objects.get(pk=bob.pk))
    assert run_tasks() == [] and [m["To"] for m in mail_sink.messages] == ["bob@example.org"]


@pytest.mark.parametrize(("address", "shown"), [
    ("nora.new@example.org", "n***@example.org"), ("x@mail.example.org", "x***@mail.example.org"),
    ('"a@b"@example.org', '"***@example.org'), ("not-an-address", "***")])
def test_masked(address, shown):
    assert accounts.masked(address) == shown


@pytest.mark.django_db
def test_a_verification_link_names_no_address_and_old_links_still_work(client):
    """The link held {"id", "email"} signed, not encrypted: the address, readable by anyone who saw the link (a
    proxy's log, the browser's history, a mail gateway that rewrites links)."""
    ann = user("ann", "Ann.Lovelace@example.org")
    token = accounts.verify_token(ann)
    payload = token.split(":")[0]
    readable = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert "lovelace" not in readable.lower() and "example" not in readable
    client.force_login(ann)
    assert "Ann.Lovelace@example.org" in client.get(f"/accounts/verify/{token}").content.decode()  # as written
    old = signing.dumps({"id": ann.pk, "email": "ann.lovelace@example.org"}, salt=accounts.VERIFY_SALT)
    accounts.verify(old)  # a link mailed before this change, within its 7 days
    assert accounts.is_verified(ann)
    forged = signing.dumps({"id": ann.pk, "a": "0" * 16}, salt=accounts.VERIFY_SALT)
    with pytest.raises(accounts.AccountError, match="no longer has"):
        accounts.verify(forged)
