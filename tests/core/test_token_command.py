"""`paperhub tokens`: API tokens made, listed and revoked from the command line."""

import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paperhub.core import tokens
from tests.factories import user

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("tokens", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_a_token_made_on_the_command_line_works_is_listed_and_revoked():
    ann = user("ann")
    secret, said = _run("create", "ann", "--name", "my MCP client")
    assert secret.startswith(tokens.PREFIX) and "\n" not in secret  # the secret alone on stdout
    assert "shown once" in said and secret not in said
    assert tokens.user_for(secret) == ann
    token = tokens.tokens_of(ann)[0]
    listed, _ = _run("list", "ann")
    assert f"{token.pk}  {secret[:10]}...  my MCP client" in listed and "last used" in listed
    assert secret not in listed  # only its start
    assert _run("revoke", "ann", str(token.pk))[0] == f"token {token.pk} revoked"
    assert tokens.user_for(secret) is None


def test_listing_a_user_without_tokens_says_so_beside_an_empty_list():
    user("ann")
    listed, said = _run("list", "ann")
    assert listed == "" and said.strip() == "ann has no tokens (make one: paperhub tokens create ann)"


def test_sendtestemail_says_what_it_sent_where(mail_sink):
    out = StringIO()
    call_command("sendtestemail", "ann@example.org", stdout=out)
    [message] = mail_sink.messages
    assert message["To"] == "ann@example.org"
    assert out.getvalue().strip() == ("Sent a test message to ann@example.org through the mail server at "
                                      f"127.0.0.1:{mail_sink.port}.")


def test_sendtestemail_to_a_closed_port_names_the_server_and_its_error(settings):
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    with pytest.raises(CommandError) as refused:
        call_command("sendtestemail", "ann@example.org", stdout=StringIO())
    said = str(refused.value)
    assert said.startswith(f"could not send through the mail server at 127.0.0.1:{port}: ") and "refused" in said
    assert "\n" not in said


def test_sendtestemail_to_no_one_says_so(mail_sink):
    """With --managers or --admins alone Django's sends nothing and says nothing (the hub sets no MANAGERS or ADMINS);
    with no option at all Django's own refusal stands."""
    for options in (["--managers"], ["--admins"], ["--managers", "--admins"]):
        with pytest.raises(CommandError, match="name an address"):
            call_command("sendtestemail", *options, stdout=StringIO())
    with pytest.raises(CommandError, match="must specify some email recipients"):
        call_command("sendtestemail", stdout=StringIO())
    assert not mail_sink.messages


def test_wrong_users_and_tokens_are_refused_clearly():
    user("ann")
    user("bob", is_active=False)
    with pytest.raises(CommandError, match="no user 'nobody'"):
        _run("create", "nobody")
    with pytest.raises(CommandError, match="'bob' is not active"):
        _run("create", "bob")
    bobs = tokens.create_token(user("carol"), "x")[0]
    with pytest.raises(CommandError, match="ann has no token"):
        _run("revoke", "ann", str(bobs.pk))  # another user's token is not ann's to revoke
    assert tokens.tokens_of(bobs.user)
