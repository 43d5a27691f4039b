"""Stored embeddings: indexes are rebuilt from these without embedding anything again."""

import numpy as np
from django.db import models

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
