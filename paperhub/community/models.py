"""What people add to papers: upvotes, comments, collections."""

from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Q
from django.db.models.deletion import CASCADE, Collector
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString

from paperhub.papers.models import Author, Paper


class Upvote(models.Model):
    """One user's upvote of one paper (Paper.upvotes counts them)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="upvotes")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="upvote_rows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="upvote_once")]

    def __str__(self) -> str:
        return f"{self.user_id} +1 {self.paper_id}"


class WithdrawnUpvote(models.Model):
    """An upvote withdrawn after a period it stood in had ended: kept for that period's ranking alone (ranks.py).

    Nothing else counts it (Paper.upvotes, feeds and profiles count live Upvote rows). Its times are the change
    stamps of the cast and of the withdrawal, and a re-vote's Upvote is stamped after the withdrawal, so the spans
    of one user's votes on a paper never overlap: at any moment at most one of them stood.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    cast_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(db_index=True)  # ranks.py asks which papers had a vote withdrawn since

    def __str__(self) -> str:
        return f"{self.user_id} +1 {self.paper_id} from {self.cast_at} to {self.withdrawn_at}"


class CommentQuerySet(models.QuerySet["Comment"]):
    """The two ways pages filter comments, written once. A hidden comment is out of both with every reply below it
    (a moderator hides a thread by its first comment), and a banned (inactive) user's comments count no more
    until the account is active again: spam stops counting the moment its sender is banned."""

    def shown(self, *paper_ids: int) -> "CommentQuerySet":
        """These papers' comments as their pages show them: none of a hidden thread, and a deleted or banned user's
        comment only while a reply below it, at any depth, counts (visible()): it stays, as "[deleted]" or
        "[hidden]", so that reply shows in its thread."""
        if not paper_ids:
            return self.none()
        return (self.filter(paper_id__in=paper_ids)
                .filter(Q(deleted=False, user__is_active=True) | Q(pk__in=self._kept_for_replies(paper_ids)))
                .exclude(pk__in=self._hidden_threads(paper_ids)))

    def visible(self, *paper_ids: int) -> "CommentQuerySet":
        """These papers' comments that count: neither hidden (nor below a hidden one), deleted nor a banned user's; it
        walks their hidden threads alone. No papers, no comments (visible_chosen(): comments of papers not known)."""
        if not paper_ids:
            return self.none()
        counting = self.filter(deleted=False, user__is_active=True, paper_id__in=paper_ids)
        return counting.exclude(pk__in=self._hidden_threads(paper_ids))

    def visible_chosen(self) -> "CommentQuerySet":
        """The comments filtered so far (one by its id, a user's) that count, as visible() has it, for when their
        papers are not known: each is checked by walking up its own thread, not down every hidden one of the hub."""
        counting = self.filter(deleted=False, user__is_active=True)
        try:
            return counting.exclude(pk__in=self._below_hidden(counting))
        except EmptyResultSet:  # none can be chosen (an id past any column's range): nothing to walk
            return self.none()

    def _kept_for_replies(self, paper_ids: tuple[int, ...]) -> RawSQL:
        """The ids of these papers' comments above a comment that counts (neither deleted nor a banned user's), at
        any depth outside hidden threads (a hidden reply keeps nothing above it). Walked up from those comments,
        each comment once, so it reads the shown papers' comments alone, however many the hub holds."""
        table = self.model._meta.db_table
        users = self.model._meta.get_field("user").related_model._meta.db_table
        papers = ", ".join(["%s"] * len(paper_ids))
        return RawSQL(f"WITH RECURSIVE above(id) AS (SELECT c.parent_id FROM {table} c JOIN {users} u ON "
                      f"u.id = c.user_id WHERE c.paper_id IN ({papers}) AND c.parent_id IS NOT NULL AND NOT c.hidden "
                      f"AND NOT c.deleted AND u.is_active UNION SELECT t.parent_id FROM {table} t JOIN above ON "
                      f"t.id = above.id WHERE t.parent_id IS NOT NULL AND NOT t.hidden) SELECT id FROM above",
                      list(paper_ids))

    def _hidden_threads(self, paper_ids: tuple[int, ...]) -> RawSQL:
        """The ids of these papers' hidden comments and of every reply below them, however deep (a reply is on its
        parent's paper; the comment_hidden index finds the first ones)."""
        table = self.model._meta.db_table
        papers = f" AND paper_id IN ({', '.join(['%s'] * len(paper_ids))})"
        # "WHERE hidden" as the index's own condition is written: SQLite uses a partial index only then
        return RawSQL(f"WITH RECURSIVE hidden_thread(id) AS (SELECT id FROM {table} WHERE hidden{papers} UNION "
                      f"SELECT t.id FROM {table} t JOIN hidden_thread ON t.parent_id = hidden_thread.id) "
                      f"SELECT id FROM hidden_thread", list(paper_ids))


    def _below_hidden(self, chosen: "CommentQuerySet") -> RawSQL:
        """The ids of the `chosen` comments that are hidden or below a hidden one: walked up from each of them to its
        thread's first comment (or a hidden one), so it reads their ancestors alone."""
        table = self.model._meta.db_table
        seed, params = chosen.order_by().values("pk").query.sql_with_params()
        return RawSQL(f"WITH RECURSIVE chosen(id) AS ({seed}), up(origin, id) AS (SELECT id, id FROM chosen UNION "
                      f"SELECT up.origin, t.parent_id FROM {table} t JOIN up ON t.id = up.id "
                      f"WHERE t.parent_id IS NOT NULL AND NOT t.hidden) "
                      f"SELECT up.origin FROM up JOIN {table} h ON h.id = up.id WHERE h.hidden", params)


def cascade_thread(collector: Collector, field: Any, replies: models.QuerySet[Any], using: str) -> None:
    """CASCADE for Comment.parent that takes every reply under `replies` at once, however deep the thread.

    Django's own CASCADE collects one level per recursive call, so a chain made before COMMENT_MAX_DEPTH (they
    run thousands deep) hit RecursionError; handed the whole subtree, the collector finds nothing new below it.
    Mail notices and delete signals still go through the collector, exactly as with CASCADE.
    """
    collected = collector.data.get(field.model, set())
    if all(reply in collected for reply in replies):
        return  # each came with its whole subtree (or is about to): walking it again for every batch is quadratic
    roots, params = replies.order_by().values("pk").query.sql_with_params()
    table, column, key = field.model._meta.db_table, field.column, field.model._meta.pk.column
    subtree = RawSQL(f"WITH RECURSIVE subtree(id) AS ({roots} UNION SELECT t.{key} FROM {table} t "
                     f"JOIN subtree ON t.{column} = subtree.id) SELECT id FROM subtree", params)
    CASCADE(collector, field, field.model._base_manager.using(using).filter(pk__in=subtree), using)


class Comment(models.Model):
    """A comment on a paper, or a reply to one; the body is Markdown, rendered through a safe subset."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="comments_thread")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=cascade_thread, related_name="replies")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    #: Deleted by its author: kept (as "[deleted]") while a reply below it counts (CommentQuerySet.shown).
    deleted = models.BooleanField(default=False)
    #: Hidden by a moderator in the admin.
    hidden = models.BooleanField(default=False)

    objects = CommentQuerySet.as_manager()
    #: Its body rendered, @mentions linked (not a column: queries.with_people renders a page's comments, one parse
    #: each and one look-up of their names, for paper_comments and comments_by; markdown.render_comment).
    html: SafeString = SafeString("")

    class Meta:
        indexes = [models.Index(fields=["paper", "created_at"], name="comment_thread"),
                   models.Index(fields=["id"], condition=Q(hidden=True), name="comment_hidden")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.paper_id}: {self.body[:40]}"

    @property
    def withheld(self) -> bool:
        """Shown as "[hidden]", neither its text nor who wrote it: a banned user's kept for its replies (shown())."""
        return not self.deleted and not self.user.is_active

    @property
    def place(self) -> str:
        """What follows its paper page's address to show it: the discussion's page holding it (pages hold 100), at
        the comment."""
        return f"?comment={self.pk}#comment-{self.pk}"


class Collection(models.Model):
    """A list of papers a user curates, public or private."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, allow_unicode=True)  # curation.collection_slug
    description = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # the last change to its papers, notes, order, title, description or privacy (curation.touch sets it)
    updated_at = models.DateTimeField(default=timezone.now)
    papers = models.ManyToManyField(Paper, through="CollectionItem", related_name="collections")
    collaborators = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Collaborator",
                                           related_name="shared_collections")

    class Meta:
        # a title as curation.create_collection stores it (trimmed), compared exactly as Hugging Face's 409 does
        constraints = [models.UniqueConstraint(fields=["owner", "slug"], name="collection_slug_per_owner"),
                       models.UniqueConstraint(fields=["owner", "title"], name="collection_title_per_owner")]

    def __str__(self) -> str:
        return self.title


class RetiredSlug(models.Model):
    """The address of a deleted collection, never given to a new one: its old links and feed subscribers get a 404,
    not another list under the same name."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=220, allow_unicode=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "slug"], name="retired_slug_once")]

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.slug}"


class Collaborator(models.Model):
    """A user the owner lets add, remove, annotate and reorder a collection's papers (and see it when private)."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collection", "user"], name="collaborator_once")]

    def __str__(self) -> str:
        return f"{self.collection_id}: {self.user_id}"


def item_order(through: str = "") -> list[Any]:
    """The order of a collection's items (reached `through` a relation, as "collection_items__"): those added since
    the last move first, the latest added first, then those a move placed (position); a collection nobody
    reordered has no positions, so it is simply the latest added first."""
    return [models.F(f"{through}position").asc(nulls_first=True), f"-{through}added_at", f"-{through}id"]


class CollectionItem(models.Model):
    """A paper in a collection, with who added it and their note."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="collection_items")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    note = models.TextField(blank=True, default="")  # Markdown, shown through markdown.render_comment
    position = models.IntegerField(null=True, blank=True)  # set by a move (services.move_in_collection) only

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collection", "paper"], name="collection_item_once")]
        ordering = item_order()

    def __str__(self) -> str:
        return f"{self.collection_id}: {self.paper_id}"


class Submission(models.Model):
    """A paper someone asked to bring onto the hub and into today's feed, fetched from arXiv by a background task."""

    PENDING, FETCHING, DONE, FAILED = "pending", "fetching", "done", "failed"
    STATUSES = [(PENDING, "waiting to be fetched"), (FETCHING, "fetching from arXiv"), (DONE, "in the feed"),
                (FAILED, "failed")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    arxiv_id = models.CharField(max_length=64)
    day = models.DateField()  # the feed day it was asked on: the daily quota counts these, failed ones too,
    # except those that failed on our side (arXiv could not be reached): the user may simply try again
    counted = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    message = models.TextField(blank=True)
    paper = models.ForeignKey(Paper, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "day"], name="submission_quota")]

    def __str__(self) -> str:
        return f"{self.arxiv_id} by {self.user_id}: {self.status}"

    @property
    def waiting(self) -> bool:
        """Still to be fetched or being fetched (pages poll until it is not)."""
        return self.status in (self.PENDING, self.FETCHING)


class AuthorClaim(models.Model):
    """A user's claim to be one author of one paper, pending until a moderator approves or rejects it.

    It names the paper and the Author row (not the PaperAuthor row, which a new version of the paper rewrites),
    so an approved claim holds across re-ingests, and claiming one paper never takes over a namesake's others.
    """

    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
    STATUSES = [(PENDING, "waiting for a moderator"), (APPROVED, "approved"), (REJECTED, "rejected")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_claims")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="author_claims")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="claims")
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        constraints = [
            # One claim per user and entry, whatever became of it: a rejected claim is not asked again.
            models.UniqueConstraint(fields=["user", "paper", "author"], name="claim_once"),
            models.UniqueConstraint(fields=["paper", "author"], condition=models.Q(status="approved"),
                                    name="claim_one_approved_per_entry"),
            # One author per paper per user (a rejected claim leaves them free to claim the right entry).
            models.UniqueConstraint(fields=["user", "paper"], condition=~models.Q(status="rejected"),
                                    name="claim_one_entry_per_paper"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="claim_queue")]

    def __str__(self) -> str:
        return f"{self.user_id} as {self.author_id} of {self.paper_id}: {self.status}"


class AuthorSettings(models.Model):
    """A user's choices about comment mail (notices.py); no row means the defaults (mail on)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_settings")
    comment_mail = models.BooleanField(default=True)  # about comments on papers they are a verified author of
    reply_mail = models.BooleanField(default=True)  # about replies to their comments and @mentions of them

    class Meta:
        verbose_name_plural = "author settings"

    def __str__(self) -> str:
        return (f"{self.user_id}: comment mail {'on' if self.comment_mail else 'off'}, "
                f"reply mail {'on' if self.reply_mail else 'off'}")


class CommentNotice(models.Model):
    """A mail to a user about a comment (on their paper, replying to them, mentioning them: one for all reasons):
    claimed (inserted) before sending, confirmed (sent_at) once sent; one mail may gather several comments, each
    with its notice. A claim never confirmed within core.mail.CLAIM_LEASE is a dead sender's, and is taken again
    (notices._mail_comment)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="notices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(default=timezone.now)  # when a run took it to send
    sent_at = models.DateTimeField(null=True, blank=True)  # when its mail went; null while claimed

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="notice_once")]

    def __str__(self) -> str:
        return f"{self.comment_id} -> {self.user_id}"
