from datetime import UTC, datetime

import pytest

from paperhub.papers.services import upsert_papers
from tests.factories import record

PAPERS = [
    record("2501.00001", title="Attention Is All You Need for Graph Neural Networks",
           abstract="We adapt transformer attention to message passing on graphs.",
           authors=("Ada Lovelace", "Charles Babbage"), categories=("cs.LG", "cs.AI"),
           published=datetime(2025, 1, 10, tzinfo=UTC)),
    record("2501.00002", title="Protein Folding with Diffusion Models",
           abstract="A denoising diffusion model predicts protein structures from sequences.",
           authors=("Rosalind Franklin",), categories=("q-bio.BM", "cs.LG"),
           published=datetime(2025, 2, 10, tzinfo=UTC)),
    record("2501.00003", title="In-Context Learning in Large Language Models: A Survey",
           abstract="We survey in-context learning, where language models learn tasks from prompts.",
           authors=("Alan Turing",), categories=("cs.CL",), published=datetime(2025, 3, 10, tzinfo=UTC)),
    record("2501.00004", title="Why <script>alert(1)</script> Breaks Naive Renderers",
           abstract="Titles with HTML such as <b>bold</b> & entities must be escaped.",
           authors=("Grace Hopper",), categories=("cs.CR",), published=datetime(2025, 4, 10, tzinfo=UTC)),
    record("2501.00005", title="Sparse Graph Transformers for Molecules",
           abstract="Graph transformers with sparse attention predict molecular properties.",
           authors=("Ada Lovelace",), categories=("cs.LG", "physics.chem-ph"),
           published=datetime(2025, 5, 10, tzinfo=UTC)),
]


@pytest.fixture
def indexed(db, search_dir):
    upsert_papers(PAPERS)
    from paperhub.search import rebuild

    rebuild()
    return PAPERS
