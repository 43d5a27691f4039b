"""Stored embeddings: indexes are rebuilt from these without embedding anything again."""

import numpy as np
from django.db import models
from django.utils import timezone

from paperhub.papers.models import Paper


class PaperVector(models.Model):
    """A paper's embedding under one model, as float16 bytes."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="vectors", db_index=False)
    model = models.CharField(max_length=100)
    vector = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "model"], name="papervector_unique")]
        indexes = [models.Index(fields=["model", "paper"], name="papervector_model")]

    def __str__(self) -> str:
        return f"{self.paper_id} ({self.model})"

    def as_array(self) -> np.ndarray:
        """The vector as float32."""
        return np.frombuffer(bytes(self.vector), dtype=np.float16).astype(np.float32)


class StaticModelFile(models.Model):
    """A static model built by `paperhub index distill` (a tar of its model2vec directory), so that every node
    serves the same one; the newest is current (search/static.py)."""

    name = models.CharField(max_length=100, unique=True)
    archive = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    #: The hub's papers when it was built, and how many of them taught it: a model is built again once the hub has
    #: doubled (static.due()).
    papers = models.PositiveIntegerField(default=0)
    teacher_papers = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class PaperKeywords(models.Model):
    """A paper's keywords (search/keyphrases.py): derived from its text and the hub's document frequencies,
    remade when the paper changes and by `paperhub keywords --rebuild`."""

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, primary_key=True, related_name="keywords")
    phrases = models.JSONField(default=list)
    #: The paper's changed_at when they were made: papers changed later are due (keywording.py follows them).
    made_for = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["made_for", "paper"], name="paperkeywords_made")]

    def __str__(self) -> str:
        return f"{self.paper_id}: {', '.join(self.phrases)}"
