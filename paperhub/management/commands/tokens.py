"""`paperhub tokens`: a user's API tokens from the command line (a headless hub, a script, an MCP client's token)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.timezone import localtime

from paperhub.core import tokens
from paperhub.core.permissions import NotAllowed


def _user(username: str) -> AbstractBaseUser:
    found = get_user_model().objects.filter(username=username).first()
    if found is None:
        raise CommandError(f"no user {username!r} (create one with `paperhub createsuperuser` or on the sign-up page)")
    if not found.is_active:
        raise CommandError(f"{username!r} is not active (banned or closed): its tokens would not work")
    return found


class Command(BaseCommand):
    help = "A user's API tokens: create one (its secret printed once), list them, revoke one."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a token and print its secret (shown once, never stored)")
        create.add_argument("username")
        create.add_argument("--name", default="command line", help="what it is for (default: %(default)s)")
        listed = actions.add_parser("list", help="the user's tokens: id, name, start of the secret, last use")
        listed.add_argument("username")
        revoke = actions.add_parser("revoke", help="revoke one of the user's tokens by its id (from list)")
        revoke.add_argument("username")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        user = _user(options["username"])
        if options["action"] == "create":
            try:
                token, secret = tokens.create_token(user, options["name"])
            except NotAllowed as exc:
                raise CommandError(str(exc)) from None
            self.stderr.write(f"token {token.pk} ({token.name}) for {options['username']}: the secret, shown once:")
            self.stdout.write(secret)  # alone on stdout, so that `$(paperhub tokens create ann)` is the secret
        elif options["action"] == "list":
            mine = tokens.tokens_of(user)
            if not mine:
                self.stderr.write(f"{options['username']} has no tokens (make one: paperhub tokens create "
                                  f"{options['username']})")
            for token in mine:
                last = token.last_used_at
                used = f"last used {localtime(last):%Y-%m-%d %H:%M}" if last else "never used"
                self.stdout.write(f"{token.pk}  {token.prefix}...  {token.name}  (made "
                                  f"{localtime(token.created_at):%Y-%m-%d}, {used})")
        elif not tokens.revoke(user, options["id"]):
            raise CommandError(f"{options['username']} has no token {options['id']}")
        else:
            self.stdout.write(f"token {options['id']} revoked")
