"""A small hub in four topics, indexed, with the real embedding model."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from paperhub.papers.services import upsert_papers
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


@pytest.fixture
def topics(db, search_dir, settings, tmp_path):
    """32 papers (8 per topic) indexed for keyword search; the recommendation space is built on first use, with
    the bundled transformer (a data directory of its own: no distilled static model there)."""
    settings.DATA_DIR = tmp_path
    upsert_papers(corpus())
    from paperhub.search import rebuild

    rebuild()
    return TOPICS


@pytest.fixture
def reader(db) -> User:
    return user("reader")
