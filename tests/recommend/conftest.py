"""A small hub in four topics, indexed, with the real embedding model."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.contrib.auth.models import User

from paperhub import search
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.recommend import space
from paperhub.search.stored import store_vectors
from tests.factories import record, user

TOPICS = {
    "proteins": (["protein folding", "protein structure prediction", "amino acid sequences", "enzyme design",
                  "molecular dynamics of proteins", "antibody binding", "protein language models", "cryo-EM maps"],
                 "We predict the three-dimensional structure of proteins from their amino acid sequence with {x}, "
                 "improving folding accuracy on held-out protein families and enzyme benchmarks.",
                 ("Rosalind Franklin", "Linus Pauling"), ("q-bio.BM", "cs.LG")),
    "language": (["in-context learning", "prompt tuning", "instruction following", "chain-of-thought reasoning",
                  "retrieval-augmented generation", "tokenizer design", "long-context language models",
                  "machine translation"],
                 "Large language models learn from prompts; we study {x} in transformer language models and report "
                 "accuracy on question answering and translation benchmarks.",
                 ("Alan Turing", "Karen Sparck Jones"), ("cs.CL",)),
    "robots": (["robot grasping", "legged locomotion", "sim-to-real transfer", "dexterous manipulation",
                "motion planning", "visual servoing", "reward shaping for robots", "teleoperation datasets"],
               "A robot learns {x} with reinforcement learning in simulation and transfers the policy to a real "
               "robot arm, grasping and manipulating objects.",
               ("Rodney Brooks", "Cynthia Breazeal"), ("cs.RO",)),
    "galaxies": (["galaxy clusters", "dark matter halos", "gravitational lensing", "cosmic microwave background",
                  "supernova light curves", "exoplanet transits", "radio telescopes", "stellar populations"],
                 "Telescope observations of {x} constrain cosmology: we measure galaxy distances, dark matter and "
                 "the expansion of the universe.",
                 ("Vera Rubin", "Edwin Hubble"), ("astro-ph.CO",)),
}
NEWEST = datetime(2026, 6, 30, 12, tzinfo=UTC)


def corpus() -> list:
    records = []
    for t, (name, (subjects, template, authors, categories)) in enumerate(TOPICS.items()):
        for i, subject in enumerate(subjects):
            records.append(record(
                f"2606.{t}{i:04d}", title=f"{subject.capitalize()} at scale: a {name} study",
                abstract=template.format(x=subject), authors=(authors[i % 2], f"Student {name} {i}"),
                categories=categories, published=NEWEST - timedelta(days=(i * 3 + t) % 20)))
    return records


#: The bundled transformer's vectors of the corpus, by arXiv id: embedded by the first test that needs them (the
#: same 32 papers each time), then stored in each test's database as `paperhub index embed` stores them.
_VECTORS: dict[str, np.ndarray] = {}


def _store_transformer_vectors() -> None:
    papers = list(Paper.objects.order_by("uid").values_list("id", "uid", "title", "abstract"))
    encoder = search.transformer()
    if not _VECTORS:
        encoded = encoder.encode([search.paper_text(title, abstract) for _, _, title, abstract in papers])
        _VECTORS.update(zip([uid for _, uid, _, _ in papers], encoded, strict=True))
    store_vectors(encoder.name, [pid for pid, *_ in papers], np.stack([_VECTORS[uid] for _, uid, _, _ in papers]))


@pytest.fixture
def topics(db, search_dir, settings, tmp_path):
    """32 papers (8 per topic) indexed for keyword search, with the bundled transformer's vectors stored (a data
    directory of its own: no distilled static model there), and the recommendation space built from them (as the
    index watcher or the queued build does: a request never builds it)."""
    settings.DATA_DIR = tmp_path
    upsert_papers(corpus())
    search.rebuild()
    _store_transformer_vectors()
    space.refresh(force=True)
    return TOPICS


@pytest.fixture
def reader(db) -> User:
    return user("reader")
