"""What reaches a user outside the site: the personal part of digests and their private Atom feed."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.auth.models import User
from django.core import signing
from django.utils import timezone

from paperhub.papers.models import Paper
from paperhub.recommend import queries

FEED_SALT = "paperhub.recommend.feed"
FEEDBACK_SALT = "paperhub.recommend.feedback"
FEEDBACK_KINDS = ("up", "not")


def feed_token(user: User) -> str:
    """The secret part of a user's private feed URL (stable; changes with their password)."""
    return signing.dumps([user.pk, user.password[-8:]], salt=FEED_SALT, compress=True)


def user_for_feed_token(token: str) -> User | None:
    """The active user a feed token belongs to, or None."""
    try:
        pk, check = signing.loads(token, salt=FEED_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    return user if user is not None and user.password[-8:] == check else None


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
