"""The paper model: one row per paper whatever its source, with ordered authors and categories."""

from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from paperhub.papers.records import arxiv_abs_url


class Author(models.Model):
    """A person, one row per normalised name (see `names.author_key`)."""

    name = models.TextField()
    key = models.TextField(unique=True)

    def __str__(self) -> str:
        return self.name

    @property
    def slug(self) -> str:
        """The author's address in the hub (/authors/<slug>): the name for people, the id for the hub."""
        return f"{slugify(self.name) or 'author'}-{self.pk}"


class Category(models.Model):
    """An arXiv category such as cs.CL (records keep only codes of that shape: paperhub.papers.records)."""

    code = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.code


class Paper(models.Model):
    """A paper; `uid` is the versionless arXiv id, or `scheme:id` for papers from elsewhere."""

    uid = models.CharField(max_length=128, unique=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    title = models.TextField()
    abstract = models.TextField(blank=True)
    authors = models.ManyToManyField(Author, through="PaperAuthor", related_name="papers")
    categories = models.ManyToManyField(Category, through="PaperCategory", related_name="papers")
    published = models.DateTimeField(null=True, blank=True)  # indexed by paper_newest
    updated = models.DateTimeField(null=True, blank=True)
    comments = models.TextField(blank=True)
    journal_ref = models.TextField(blank=True)
    doi = models.TextField(blank=True, db_index=True)
    report_no = models.TextField(blank=True)
    license = models.TextField(blank=True)
    code_url = models.TextField(blank=True)
    project_url = models.TextField(blank=True)
    organization = models.TextField(blank=True)
    source = models.CharField(max_length=32)
    added_at = models.DateTimeField(default=timezone.now)
    #: Upvotes by this hub's users, kept in step with community.Upvote rows in the same transaction.
    upvotes = models.IntegerField(default=0, db_default=0)  # not Positive: its CHECK makes SQLite copy the table
    #: When the paper was added or last changed: search indexes catch up from here.
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["-published", "-id"], name="paper_newest"),
            models.Index(fields=["changed_at", "id"], name="paper_changed"),
        ]

    def __str__(self) -> str:
        return f"{self.uid}: {self.title[:60]}"

    @property
    def arxiv_id(self) -> str | None:
        """The versionless arXiv id, or None for papers that are not on arXiv."""
        return None if ":" in self.uid else self.uid

    @property
    def abs_url(self) -> str:
        """The paper's landing page at its source."""
        if self.arxiv_id:
            return arxiv_abs_url(self.arxiv_id)
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return ""

    @property
    def pdf_url(self) -> str:
        """The PDF, where the source has one at a known address."""
        return f"https://arxiv.org/pdf/{self.arxiv_id}" if self.arxiv_id else ""


class PaperAuthor(models.Model):
    """An author's place in a paper's author list."""

    # The unique (paper, position) index serves lookups by paper; a second index would only slow ingest.
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships", db_index=False)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="authorships")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="paperauthor_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.paper_id}#{self.position}: {self.author_id}"


class PaperCategory(models.Model):
    """A paper's category; exactly one per paper is primary (arXiv's first listed)."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="paper_categories", db_index=False)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="paper_categories")
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "category"], name="papercategory_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.paper_id}: {self.category_id}{' (primary)' if self.is_primary else ''}"


class FeedEntry(models.Model):
    """A paper placed in a day's feed, by a submission here or on Hugging Face's daily papers."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="feed_entries")
    day = models.DateField(db_index=True)
    source = models.CharField(max_length=32)
    submitted_by = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    external_upvotes = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "feed entries"
        constraints = [models.UniqueConstraint(fields=["paper", "day"], name="feedentry_unique_day")]

    def __str__(self) -> str:
        return f"{self.day}: {self.paper_id}"


class HarvestCheckpoint(models.Model):
    """Where a paged network harvest got to, so a killed run resumes there."""

    source = models.CharField(max_length=32)
    key = models.TextField()
    cursor = models.TextField(blank=True)
    harvested = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="checkpoint_unique")]

    def __str__(self) -> str:
        return f"{self.source} {self.key}: {self.cursor}"


class SourcePace(models.Model):
    """When the next call to a network source may start, shared by every process that calls it (ingest/http.py)."""

    host = models.CharField(max_length=255, primary_key=True)
    next_at = models.FloatField()  # seconds since the epoch

    def __str__(self) -> str:
        return f"{self.host} free at {self.next_at}"


class CodeRepository(models.Model):
    """A GitHub repository papers name as their code (Paper.code_url), with its stars once GitHub was asked."""

    full_name = models.CharField(max_length=200, unique=True)  # "owner/repo", case-folded: GitHub ignores case
    stars = models.PositiveIntegerField(null=True, blank=True)
    etag = models.TextField(blank=True)
    #: When GitHub was last asked (None: never); the refresh takes the oldest first.
    checked_at = models.DateTimeField(null=True, blank=True)
    #: GitHub answered 404 or 451: the link stays, without stars.
    gone = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "code repositories"
        indexes = [models.Index(fields=["checked_at", "id"], name="coderepository_due")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.stars} stars)"


class SuspendedForeignKey(models.Model):
    """A foreign key a bulk load dropped and has to add back (papers/loading.py): its table, name and definition."""

    table = models.CharField(max_length=200)
    name = models.CharField(max_length=200, unique=True)
    definition = models.TextField()

    def __str__(self) -> str:
        return f"{self.table}.{self.name}"
