"""What a user tells the recommender beyond upvotes and saves: dislikes, seeds, exclusions, follows, searches."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from paperhub.community.models import Collection
from paperhub.papers.models import Author, Paper

USER = settings.AUTH_USER_MODEL


class NotInterested(models.Model):
    """A paper the user does not want (a downvote): a strong negative for their model."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="not_interested")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="not_interested_once")]

    def __str__(self) -> str:
        return f"{self.user_id} -1 {self.paper_id}"


class Seed(models.Model):
    """A cold-start signal: a picked or imported hub paper, or text (an unmatched import, a paragraph)."""

    PICK, IMPORT, PARAGRAPH, ZOTERO = "pick", "import", "paragraph", "zotero"
    SOURCES = [(PICK, "picked"), (IMPORT, "imported"), (PARAGRAPH, "paragraph"), (ZOTERO, "from Zotero")]

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="seeds")
    paper = models.ForeignKey(Paper, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=SOURCES)
    title = models.TextField(blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "paper"], condition=models.Q(paper__isnull=False),
                                    name="seed_paper_once"),
            models.UniqueConstraint(fields=["user", "title"], condition=models.Q(paper__isnull=True),
                                    name="seed_text_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.source}: {self.paper_id or self.title[:40]}"


class Shown(models.Model):
    """A pick the For you page showed a user on its first page, and the day it first did: on a later day it comes
    after the picks never shown (queries.for_you); services.remember_shown keeps the newest SHOWN_KEPT per user."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    shown_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="shown_once")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.paper_id} on {self.shown_on}"


class Exclusions(models.Model):
    """Words and categories a user never wants recommended."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="exclusions")
    words = models.TextField(blank=True)  # one per line or comma-separated
    categories = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} excludes {self.words!r} {self.categories!r}"

    def word_list(self) -> list[str]:
        """The excluded words and phrases, lowercased."""
        return [w.strip().lower() for w in self.words.replace(",", "\n").splitlines() if w.strip()]

    def category_list(self) -> list[str]:
        """The excluded category codes."""
        return [c for c in self.categories.replace(",", " ").split() if c]


class Follow(models.Model):
    """A user following an author: their new papers reach the user's digests and feed."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="follows")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "author"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.author_id}"


class SavedSearch(models.Model):
    """A search query a user keeps: new matching papers reach their digests and feed."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="saved_searches")
    query = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "query"], name="saved_search_once")]

    def __str__(self) -> str:
        return self.query


class ImportJob(models.Model):
    """A library file someone uploaded, matched against the hub's papers by a background task."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUSES = [(PENDING, "waiting"), (RUNNING, "importing"), (DONE, "done"), (FAILED, "failed")]

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="imports")
    name = models.CharField(max_length=200, blank=True)  # the uploaded file's name
    text = models.TextField(blank=True)  # the upload, emptied once imported
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    entries = models.PositiveIntegerField(default=0)  # references read from the file
    done = models.PositiveIntegerField(default=0)  # of those, looked up so far
    matched = models.PositiveIntegerField(default=0)
    added_as_text = models.PositiveIntegerField(default=0)
    already = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # "line N: what was wrong", for the entries skipped
    message = models.TextField(blank=True)  # why the whole import failed
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"import {self.pk} of {self.user_id}: {self.status}"

    @property
    def waiting(self) -> bool:
        """Still to run or running (pages poll until it is not)."""
        return self.status in (self.PENDING, self.RUNNING)


class FeedToken(models.Model):
    """The secret of a user's private feed address, random and stored as its sha256; a new one replaces it."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="feed_token")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}: feed token of {self.created_at:%Y-%m-%d}"


#: A Zotero sync or push queued longer ago than this is taken as lost (its worker gone): another may be queued, and
#: the page stops waiting for it.
ZOTERO_STALE = timedelta(hours=6)


class ZoteroLink(models.Model):
    """A user's connected Zotero library: its id, the API key (sealed, core/sealing.py) and how far it is synced."""

    USERS, GROUPS = "users", "groups"
    KINDS = [(USERS, "my library"), (GROUPS, "a group library")]

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="zotero")
    kind = models.CharField(max_length=6, choices=KINDS, default=USERS)
    library_id = models.CharField(max_length=20)  # digits
    sealed_key = models.TextField()
    key_end = models.CharField(max_length=4)  # the key's last characters, all the page ever shows of it
    version = models.PositiveBigIntegerField(default=0)  # Last-Modified-Version of the last finished sync
    busy_since = models.DateTimeField(null=True, blank=True)  # when a sync or push was queued, until it ends
    items = models.PositiveIntegerField(default=0)  # items seen by the syncs
    message = models.TextField(blank=True)  # what the last sync or push did, or why it failed
    synced_at = models.DateTimeField(null=True, blank=True)  # when the last sync or push ended
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}: zotero {self.kind}/{self.library_id} at {self.version}"

    @property
    def on_its_way(self) -> bool:
        """Whether a sync or push is queued or running (a mark older than ZOTERO_STALE is a lost one's)."""
        return self.busy_since is not None and self.busy_since > timezone.now() - ZOTERO_STALE


class ZoteroItem(models.Model):
    """A library item a sync made a seed of, by its Zotero key, so its deletion removes that seed."""

    link = models.ForeignKey(ZoteroLink, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=16)
    seed = models.ForeignKey(Seed, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "key"], name="zotero_item_once")]

    def __str__(self) -> str:
        return f"{self.link_id}: {self.key}"


class ZoteroPush(models.Model):
    """A paper written into a user's Zotero library (from one of their collections), so it is written once."""

    link = models.ForeignKey(ZoteroLink, on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    collection = models.ForeignKey(Collection, null=True, on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=16, blank=True)  # Zotero's key; empty when an earlier try wrote it
    pushed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "paper"], name="zotero_push_once")]

    def __str__(self) -> str:
        return f"{self.link_id}: {self.paper_id} as {self.key}"


class ZoteroCollection(models.Model):
    """The Zotero collection a hub collection is pushed into, by Zotero's key, so every push finds the same one."""

    link = models.ForeignKey(ZoteroLink, on_delete=models.CASCADE, related_name="+")
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "collection"], name="zotero_collection_once")]

    def __str__(self) -> str:
        return f"{self.link_id}: {self.collection_id} into {self.key}"
