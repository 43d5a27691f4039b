"""Creating, checking and revoking API tokens."""

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from paperhub.core import caps
from paperhub.core.models import ApiToken
from paperhub.core.permissions import NotAllowed

PREFIX = "ph_"
#: The most tokens one account holds at once (one per script or machine; revoke one to make another).
MAX_TOKENS = 50
#: What a call that needs a token and came without one is told (the JSON API and MCP): where to make one.
NEEDED = "needs an API token (make one on the hub's /accounts/tokens/ page)"
#: What a call with a token that finds no active user is told: the same for a revoked token, one never made and one
#: whose account was closed, so that an answer tells no one which tokens once existed.
INVALID = "the API token is not valid (revoked, mistyped or its account closed)"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token for the user and its secret, which is not stored and cannot be shown again; NotAllowed when the
    user holds MAX_TOKENS (two at once included: core/caps.py)."""
    secret = PREFIX + secrets.token_urlsafe(32)
    name = "".join(ch for ch in name or "" if ch.isprintable()).strip()[:100] or "token"  # one line, no controls
    with caps.owner_locked(get_user_model(), user.pk):
        if ApiToken.objects.filter(user_id=user.pk).count() >= MAX_TOKENS:
            raise NotAllowed(f"You have {MAX_TOKENS} tokens, the most one account holds: revoke one first.")
        token = ApiToken.objects.create(user_id=user.pk, name=name, digest=_digest(secret), prefix=secret[:10])
    return token, secret


def bearer(header: str) -> str:
    """The token of an `Authorization: Bearer ...` header ('' for any other)."""
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def user_for(secret: str) -> AbstractBaseUser | None:
    """The active user owning a token secret, or None."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(secret)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:  # not a write per call
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke(user: AbstractBaseUser, token_id: int) -> bool:
    """Delete one of the user's tokens."""
    return ApiToken.objects.filter(user_id=user.pk, pk=token_id).delete()[0] > 0


def tokens_of(user: AbstractBaseUser) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(ApiToken.objects.filter(user_id=user.pk).order_by("-created_at"))
