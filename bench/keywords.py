"""Keywords per paper: distinctive phrases (tf-idf, shipped) against the paper's own static embedding
(KeyBERT-like), both together, and YAKE; and the extracted one-line summary.

    python -m bench.keywords [--static DIR] [--df-papers 100000]

Quality: arXiv papers whose abstract ends with the authors' own keywords ("Keywords: ...", in both shared
arXiv files) are the judged set; those keywords are cut from the abstract before extracting. `exact`: share of
chosen keywords with the same stems as an author keyword; `partial`: sharing a stem with one; `papers_hit`:
papers with at least one exact match. `title`: on recent papers, keywords made from the abstract alone whose
words all occur in the title (the authors' own summary). Document frequencies come from --df-papers papers of
the shared files, as the keyword index would have them. Speed: ms per 1000 papers in one process.
The static model (KeyBERT-like) is model2vec distilled from the bundled MiniLM (--static: a saved model2vec
directory; built here in about 15 s if missing). YAKE needs `pip install yake`.
"""

import argparse
import json
import lzma
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")

SHARED = Path(os.environ.get("PAPERHUB_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
FILES = ("archive-1986-2019.jsonl.xz", "recent-2025-2026.jsonl.xz")
AUTHOR_KEYWORDS = re.compile(r"(?:key\s?words|index terms)\s*[:.\u2014-]+\s*(.+)$", re.I | re.S)

Extract = Callable[[str, str], list[str]]


def papers(name: str) -> Iterator[dict]:
    """The papers of one shared arXiv file."""
    with lzma.open(SHARED / "arxiv" / name, "rt") as stream:
        for line in stream:
            yield json.loads(line)


def corpus(df_papers: int) -> tuple[list[tuple[str, str, list[str]]], list[tuple[str, str]], Counter, int]:
    """Judged papers (title, abstract without its keywords, author keywords), recent papers, stem counts."""
    from paperhub.search import keyphrases

    judged, recent, df, counted = [], [], Counter(), 0
    for name in FILES:
        for index, paper in enumerate(papers(name)):
            title, abstract = " ".join(paper["title"].split()), " ".join(paper["abstract"].split())
            found = AUTHOR_KEYWORDS.search(abstract)
            if found:
                given = [k.strip(" .;)").lower() for k in re.split(r"[;,\u00b7]", found.group(1)) if k.strip(" .;)")]
                if 2 <= len(given) <= 12:
                    judged.append((title, abstract[:found.start()], given))
            elif name.startswith("recent") and len(recent) < 2000 and index % 30 == 0:
                recent.append((title, abstract))
            if index % (1 + 346_000 // df_papers) == 0 or found:
                df.update({s for w in keyphrases.WORD.findall(abstract.lower()) for s in
                           keyphrases.stem(w).split("-")})
                counted += 1
    return judged, recent, df, counted


def stems_of(phrase: str) -> tuple[str, ...]:
    from paperhub.search import keyphrases

    return tuple(keyphrases.stem(w) for w in keyphrases.WORD.findall(phrase.lower()))


def quality(extract: Extract, judged: list, recent: list) -> dict:
    """Agreement with authors' keywords and with titles."""
    exact = partial = chosen = hit = 0
    for title, abstract, given in judged:
        theirs = [stems_of(g) for g in given]
        mine = [stems_of(k) for k in extract(title, abstract)]
        chosen += len(mine)
        matches = sum(1 for m in mine if m in theirs)
        exact += matches
        partial += sum(1 for m in mine if any(set(m) & set(t) for t in theirs))
        hit += matches > 0
    in_title = made = 0
    for title, abstract in recent:
        words = set(stems_of(title))
        mine = [stems_of(k) for k in extract("", abstract)]
        made += len(mine)
        in_title += sum(1 for m in mine if set(m) <= words)
    return {"exact": round(exact / max(chosen, 1), 3), "partial": round(partial / max(chosen, 1), 3),
            "papers_hit": round(hit / max(len(judged), 1), 3), "per_paper": round(chosen / max(len(judged), 1), 2),
            "title": round(in_title / max(made, 1), 3)}


def speed(extract: Extract, sample: list) -> float:
    """Milliseconds per 1000 papers."""
    started = time.perf_counter()
    for title, abstract in sample[:1000]:
        extract(title, abstract)
    return round((time.perf_counter() - started) * 1000 * 1000 / len(sample[:1000]), 1)


def methods(idf_of: Callable[[str], float], static_dir: Path) -> dict[str, Extract]:
    """The ways of choosing keywords compared here."""
    from model2vec import StaticModel

    from paperhub.search import keyphrases

    model = StaticModel.from_pretrained(str(static_dir))

    def unit(texts: list[str]) -> np.ndarray:
        vectors = model.encode(texts)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)

    def tfidf(title: str, abstract: str) -> list[str]:
        return keyphrases.keywords(title, abstract, idf_of)

    def embedded(title: str, abstract: str, mix: bool) -> list[str]:
        scored = keyphrases.distinctive(keyphrases.candidates(title, abstract), idf_of)
        if not scored:
            return []
        vectors = unit([f"{title}. {abstract}"] + [c.phrase for c, _ in scored])
        cosines = vectors[1:] @ vectors[0]
        if mix:  # the tf-idf score, weighted by closeness to the paper
            pairs = zip(scored, cosines, strict=True)
            return keyphrases.choose([(c, s * max(float(cos), 0.0)) for (c, s), cos in pairs])
        return keyphrases.choose([(c, float(cos)) for (c, _), cos in zip(scored, cosines, strict=True)], cutoff=0.0)

    found = {"tfidf": tfidf, "embedding": lambda t, a: embedded(t, a, False),
             "tfidf_x_embedding": lambda t, a: embedded(t, a, True)}
    try:
        import yake

        extractor = yake.KeywordExtractor(lan="en", n=3, top=8, dedupLim=0.7)
        found["yake"] = lambda t, a: [k.lower() for k, _ in extractor.extract_keywords(f"{t}. {a}")]
    except ImportError:
        pass
    return found


def summaries(recent: list) -> dict:
    """How often the summary is a contribution sentence, and its cost."""
    from paperhub.papers.summary import CONTRIBUTION, one_line

    started = time.perf_counter()
    lines = [one_line(abstract) for _, abstract in recent]
    elapsed = time.perf_counter() - started
    stated = sum(1 for line in lines if CONTRIBUTION.search(line))
    return {"papers": len(lines), "contribution_sentence": round(stated / max(len(lines), 1), 3),
            "mean_chars": round(sum(map(len, lines)) / max(len(lines), 1)),
            "ms_per_1000": round(elapsed * 1000 * 1000 / max(len(lines), 1), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static", type=Path, default=Path("/tmp/paperhub-bench-static"))
    parser.add_argument("--df-papers", type=int, default=100_000)
    args = parser.parse_args()
    import django

    django.setup()
    from paperhub.search import terms

    if not (args.static / "model.safetensors").is_file():
        from model2vec.distill import distill

        from paperhub.search.embed import bundled_minilm

        distill(model_name=str(bundled_minilm()), pca_dims=256, device="cpu").save_pretrained(str(args.static))
    started = time.perf_counter()
    judged, recent, df, counted = corpus(args.df_papers)
    print(f"corpus read in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    def idf_of(stem: str) -> float:
        return terms.idf(df.get(stem, 0), counted)

    result: dict = {"judged_papers": len(judged), "recent_papers": len(recent), "df_papers": counted, "methods": {}}
    for name, extract in methods(idf_of, args.static).items():
        result["methods"][name] = quality(extract, judged, recent) | {
            "ms_per_1000": speed(extract, [(t, a) for t, a, _ in judged][:500] + recent[:500])}
        result["methods"][name]["example"] = extract(recent[0][0], recent[0][1])
        print(name, result["methods"][name], file=sys.stderr)
    result["example_title"] = recent[0][0]
    result["summary"] = summaries(recent)
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
