"""What reaches a user outside the site: the personal part of digests and their private Atom feed."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.auth.models import User
from django.core import signing
from django.utils import timezone

from paperhub.papers.models import Paper
from paperhub.recommend import queries
from paperhub.recommend.models import FeedToken

FEED_PREFIX = "pf_"
FEEDBACK_SALT = "paperhub.recommend.feedback"
FEEDBACK_KINDS = ("up", "not")


def new_feed_token(user: User) -> str:
    """A new random secret for the user's private feed address, replacing (and so revoking) the old one.

    Only its hash is stored: the page shows the address once, as it does API tokens."""
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    FeedToken.objects.update_or_create(user_id=user.pk, defaults={"digest": _digest(secret),
                                                                  "created_at": timezone.now()})
    return secret


def revoke_feed_token(user: User) -> bool:
    """Turn the user's private feed off; False when they had none."""
    return FeedToken.objects.filter(user_id=user.pk).delete()[0] > 0


def feed_token_made(user: User) -> datetime | None:
    """When the user's private feed address was made, or None if they have none."""
    return FeedToken.objects.filter(user_id=user.pk).values_list("created_at", flat=True).first()


def user_for_feed_token(token: str) -> User | None:
    """The active user a feed token belongs to, or None."""
    if not token.startswith(FEED_PREFIX) or len(token) > 100:
        return None
    found = FeedToken.objects.select_related("user").filter(digest=_digest(token)).first()
    return found.user if found is not None and found.user.is_active else None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def feedback_token(user: User, paper: Paper, kind: str) -> str:
    """A signed one-click feedback link's token: this user says `kind` ("up" or "not") about this paper."""
    return signing.dumps([user.pk, paper.pk, kind], salt=FEEDBACK_SALT, compress=True)


def read_feedback_token(token: str, max_age_days: int = 60) -> tuple[User, Paper, str] | None:
    """(user, paper, kind) of a feedback token, or None if it is forged, expired or stale."""
    try:
        pk, paper_id, kind = signing.loads(token, salt=FEEDBACK_SALT, max_age=max_age_days * 86400)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    paper = Paper.objects.filter(pk=paper_id).first()
    if user is None or paper is None or kind not in FEEDBACK_KINDS:
        return None
    return user, paper, kind


@dataclass
class Updates:
    """New papers for one user over a period: picks, followed authors' papers, saved searches' matches."""

    picks: list[queries.Pick] = field(default_factory=list)
    followed: list[Paper] = field(default_factory=list)
    searches: list[tuple[str, list[Paper]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.picks and not self.followed and not any(papers for _, papers in self.searches)


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def updates(user: User, since: date, until: date, picks: int = 5, per_search: int = 5) -> Updates:
    """What is new for the user among papers published in [since, until)."""
    found = Updates(picks=queries.for_you(user, limit=picks, since=since, until=until),
                    followed=queries.from_follows(user, _start(since), _start(until)))
    for saved in queries.saved_searches(user):
        found.searches.append((saved.query, queries.search_matches(saved, since, until, limit=per_search)))
    return found
