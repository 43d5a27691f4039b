"""The static model: distilled from the transformer, then taught by it on a sample of the hub's own papers.

Most papers of a large hub on a CPU have only a static vector for months, so this model carries most of
semantic search and similar papers. `paperhub index distill` builds it in bounded time on 2 cores:

1. Token embeddings: model2vec distils the transformer's view of every token of its vocabulary (384 dims).
2. Token weights: SIF weights from how often each token occurs in a sample of the hub's papers.
3. Teacher: the transformer's vectors of a random sample of the hub's papers. Vectors already stored are used
   as they are; the rest are embedded now, within a time budget, and stored, so this work also fills the
   transformer's coverage.
4. Training: the token embeddings, the token weights and one linear map learn to reproduce the teacher's
   vectors from a weighted mean of token embeddings (cosine loss, Adam, early stopping on a held-out tenth).
5. The map and the weights are folded into the token table, which PCA reduces to 256 dimensions, and the
   result is saved in model2vec's format under a name made from its checksum (`static-1a2b3c4d`).
6. Topics: a latent semantic analysis of the key terms of the token-count sample's papers (search/topics.py),
   saved beside the model; similar() reads it as a signal of its own.

The model is stored in the database too (StaticModelFile), so every node of a hub serves the same model and
its vectors mean the same everywhere; each node's watcher unpacks the newest one (sync()). Vectors are stored
under the model's name, so a new model's vectors replace the old ones paper by paper, never mixed with them.
docs/benchmarks.md has the measured choices (vocabulary from the corpus, training set size, PCA).
"""

import hashlib
import io
import logging
import math
import os
import shutil
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from paperhub.papers.models import Paper
from paperhub.search import embed, terms, topics
from paperhub.search.models import StaticModelFile
from paperhub.search.stored import store_vectors, stored_vectors

log = logging.getLogger(__name__)
Step = Callable[[str], None]

#: The teacher's sample, the time budget for embedding the part of it without stored vectors, and the sample
#: whose token counts give the weights. Quality grows little past 10,000 teacher papers (docs/benchmarks.md).
TEACHER_PAPERS = 10_000
TEACHER_MINUTES = 20.0
MIN_TEACHER_PAPERS = 500
FREQUENCY_PAPERS = 50_000
DIMS = 256
SIF = 1e-3
MAX_EPOCHS = 40
PATIENCE = 4


@dataclass
class Built:
    """What a build made and how long each step took."""

    name: str
    path: Path
    teacher_papers: int
    embedded_now: int
    seconds: dict[str, float]


def _sample_ids(count: int, seed: int, exclude: frozenset[int] = frozenset()) -> list[int]:
    """Up to `count` random paper ids, the same for the same hub and seed."""
    ids = np.fromiter(Paper.objects.values_list("id", flat=True).iterator(chunk_size=50_000), dtype=np.int64)
    if exclude:
        ids = ids[~np.isin(ids, np.fromiter(exclude, dtype=np.int64))]
    rng = np.random.default_rng(seed)
    return [int(i) for i in rng.permutation(ids)[:count]]


def _papers(ids: list[int]) -> dict[int, tuple[str, str]]:
    """Titles and abstracts of papers by id."""
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 5000):
        for pid, title, abstract in Paper.objects.filter(id__in=ids[start:start + 5000]) \
                .values_list("id", "title", "abstract"):
            found[pid] = (title, abstract)
    return found


def _texts(ids: list[int]) -> dict[int, str]:
    return {pid: embed.paper_text(title, abstract) for pid, (title, abstract) in _papers(ids).items()}


def teacher(count: int, minutes: float, seed: int = 0, exclude: frozenset[int] = frozenset(),
            step: Step | None = None) -> tuple[list[str], np.ndarray, int]:
    """Texts of a random sample of the hub's papers and the transformer's vectors of them; returns also how
    many were embedded now (and stored). Stops embedding when the time budget is spent."""
    transformer = embed.transformer()
    ids = _sample_ids(count, seed, exclude)
    vectors = stored_vectors(transformer.name, ids)
    missing = [i for i in ids if i not in vectors]
    texts = _texts(ids)
    deadline = time.monotonic() + minutes * 60
    embedded = 0
    for start in range(0, len(missing), 256):
        if time.monotonic() > deadline:
            break
        batch = [i for i in missing[start:start + 256] if i in texts]
        encoded = transformer.encode([texts[i] for i in batch])
        store_vectors(transformer.name, batch, encoded)
        vectors.update(zip(batch, encoded, strict=True))
        embedded += len(batch)
        if step:
            step(f"teacher vectors: {len(vectors):,} of {len(ids):,}")
    kept = [i for i in ids if i in vectors and i in texts]
    return [texts[i] for i in kept], np.asarray([vectors[i] for i in kept], dtype=np.float32), embedded


def sif_weights(counts: np.ndarray, a: float = SIF) -> np.ndarray:
    """Smooth inverse frequency: a / (a + p(token)), p estimated with add-one smoothing."""
    p: np.ndarray = (counts + 1.0) / (counts.sum() + len(counts))
    return a / (a + p)


def _token_ids(tokenizer: object, texts: list[str], max_tokens: int = 512) -> list[np.ndarray]:
    encoded = tokenizer.encode_batch(texts, add_special_tokens=False)  # type: ignore[attr-defined]
    return [np.asarray(e.ids[:max_tokens], dtype=np.int64) for e in encoded]


def train(embeddings: np.ndarray, weights: np.ndarray, token_ids: list[np.ndarray], targets: np.ndarray,
          max_epochs: int = MAX_EPOCHS, learning_rate: float = 1e-3, batch: int = 256, patience: int = PATIENCE,
          seed: int = 0, step: Step | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Teach a weighted bag of token embeddings, followed by one linear map, to give the teacher's vectors.

    Returns the token table with the map applied, and the token weights. The best epoch on a held-out tenth wins.
    """
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(token_ids))
    held = max(1, len(order) // 10)
    validation, training = order[:held], order[held:]
    table = torch.nn.Parameter(torch.tensor(embeddings, dtype=torch.float32))
    log_weights = torch.nn.Parameter(torch.log(torch.tensor(weights, dtype=torch.float32)))
    mapping = torch.nn.Parameter(torch.eye(embeddings.shape[1]))
    optimiser = torch.optim.Adam([table, log_weights, mapping], lr=learning_rate)
    goal = torch.tensor(targets, dtype=torch.float32)

    def loss(rows: np.ndarray) -> "torch.Tensor":
        sequences = [token_ids[i] if len(token_ids[i]) else np.zeros(1, dtype=np.int64) for i in rows]
        offsets = torch.tensor(np.cumsum([0] + [len(s) for s in sequences[:-1]]), dtype=torch.long)
        flat = torch.tensor(np.concatenate(sequences), dtype=torch.long)
        pooled = torch.nn.functional.embedding_bag(flat, table, offsets, mode="sum",
                                                   per_sample_weights=torch.exp(log_weights)[flat])
        predicted = pooled @ mapping.T
        return (1 - torch.nn.functional.cosine_similarity(predicted, goal[rows], dim=1)).mean()

    best, best_state, worse = math.inf, None, 0
    for epoch in range(max_epochs):
        rng.shuffle(training)
        for start in range(0, len(training), batch):
            optimiser.zero_grad()
            value = loss(training[start:start + batch])
            value.backward()
            optimiser.step()
        with torch.no_grad():
            held_loss = float(np.mean([float(loss(validation[s:s + 1024])) for s in range(0, held, 1024)]))
        if step:
            step(f"training: epoch {epoch + 1}, held-out loss {held_loss:.4f}")
        if held_loss < best - 1e-4:
            best, worse = held_loss, 0
            best_state = (table.detach().clone(), log_weights.detach().clone(), mapping.detach().clone())
        else:  # halve the step on a plateau, as model2vec's own trainer does; stop after `patience` of them
            worse += 1
            if worse >= patience:
                break
            for group in optimiser.param_groups:
                group["lr"] /= 2
    assert best_state is not None
    final_table, final_log_weights, final_mapping = best_state
    return (final_table @ final_mapping.T).numpy(), torch.exp(final_log_weights).numpy()


def reduce(table: np.ndarray, weights: np.ndarray, dims: int = DIMS) -> tuple[np.ndarray, np.ndarray]:
    """The token table on its first `dims` principal directions, times the weights, and that projection.

    Not centred: the teacher's own vectors then land in the same space by the same projection, so a query can
    be embedded by the transformer and compared with papers' static vectors (search does).
    """
    _, vectors = np.linalg.eigh(table.T @ table / len(table))
    projection = np.ascontiguousarray(vectors[:, ::-1][:, :dims], dtype=np.float32)
    return ((table @ projection) * weights[:, None]).astype(np.float32), projection


@dataclass
class Learnt:
    """A static model (model2vec's StaticModel), the projection of its teacher's vectors into its space, the
    teacher's name, the seconds each step took, and the topics learnt beside it (build())."""

    model: Any
    projection: np.ndarray
    teacher: str
    seconds: dict[str, float]
    topic_table: topics.Topics | None = None


def learn(frequency_texts: list[str], texts: list[str], targets: np.ndarray, step: Step | None = None,
          seed: int = 0) -> Learnt:
    """A static model from the transformer's token embeddings, token counts of `frequency_texts`, and the
    transformer's vectors `targets` of `texts`."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from model2vec import StaticModel
    from model2vec.distill import distill

    embed.quiet_libraries()
    say = step or (lambda message: None)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    say("distilling token embeddings from the transformer")
    source = str(embed.bundled_minilm()) if settings.PAPERHUB_EMBED_MODEL == embed.BUNDLED \
        else settings.PAPERHUB_EMBED_MODEL
    base = distill(model_name=source, pca_dims=None, sif_coefficient=None, device="cpu", quantize_to="float32")
    seconds["distill"] = time.perf_counter() - started

    started = time.perf_counter()
    say("counting tokens")
    counts = np.zeros(base.embedding.shape[0], dtype=np.float64)
    for ids in _token_ids(base.tokenizer, frequency_texts):
        np.add.at(counts, ids, 1)
    weights = sif_weights(counts)
    seconds["frequencies"] = time.perf_counter() - started

    started = time.perf_counter()
    table = np.asarray(base.embedding, dtype=np.float32)
    if len(texts) >= 10:
        table, weights = train(table, weights, _token_ids(base.tokenizer, texts), targets, seed=seed, step=step)
    seconds["training"] = time.perf_counter() - started  # (a hub of a handful of papers: frequency weights only)
    reduced, projection = reduce(table, weights)
    model = StaticModel(vectors=reduced.astype(np.float16), tokenizer=base.tokenizer,
                        config={**base.config, "apply_pca": DIMS, "hidden_dim": DIMS, "normalize": True},
                        normalize=True)
    return Learnt(model, projection, embed.transformer_name(), seconds)


def build(teacher_papers: int = TEACHER_PAPERS, minutes: float = TEACHER_MINUTES, seed: int = 0,
          exclude: frozenset[int] = frozenset(), step: Step | None = None) -> Built:
    """Build a static model from the configured transformer and this hub's papers, save it and make it current.

    `exclude` keeps papers out of the teacher's sample (a benchmark's judged papers, say).
    """
    started = time.perf_counter()
    texts, targets, embedded = teacher(teacher_papers, minutes, seed, exclude, step)
    if len(texts) < MIN_TEACHER_PAPERS and Paper.objects.count() >= MIN_TEACHER_PAPERS:
        raise embed.ModelError(f"only {len(texts)} teacher papers within {minutes} minutes; give it more time")
    teaching = time.perf_counter() - started
    sample = _papers(_sample_ids(FREQUENCY_PAPERS, seed + 1))
    learnt = learn([embed.paper_text(title, abstract) for title, abstract in sample.values()], texts, targets, step,
                   seed)
    started = time.perf_counter()
    if step:
        step("learning topics")
    learnt.topic_table = topics.fit([terms.paper_counts(title, abstract) for pid, (title, abstract) in sample.items()
                                      if pid not in exclude], seed=seed) or topics.NONE
    learnt.seconds["topics"] = time.perf_counter() - started
    path = save(learnt, papers=Paper.objects.count(), teacher_papers=len(texts))
    if step:
        step(f"saved {path.name}")
    seconds = {"teacher": teaching, **learnt.seconds}
    return Built(path.name, path, len(texts), embedded, {k: round(v, 1) for k, v in seconds.items()})


# --- storing and sharing ---------------------------------------------------------------------------------------

def _make_current(name: str) -> None:
    pointer = embed.models_dir() / "STATIC"
    partial = pointer.with_suffix(".partial")
    partial.write_text(name)
    os.replace(partial, pointer)


def _archive(path: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for file in sorted(path.iterdir()):
            tar.add(file, arcname=file.name)
    return buffer.getvalue()


def save(learnt: Learnt, papers: int = 0, teacher_papers: int = 0) -> Path:
    """Save a model under its checksum's name, store it in the database, make it current here."""
    embed.models_dir().mkdir(parents=True, exist_ok=True)
    scratch = embed.models_dir() / f".building-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    learnt.model.save_pretrained(str(scratch))
    np.save(scratch / embed.PROJECTION_FILE, learnt.projection)
    (scratch / embed.TEACHER_FILE).write_text(learnt.teacher)
    digest = embed.sha256_of(scratch / "model.safetensors")
    if learnt.topic_table is not None:  # (named by both: the same model with other topics is another model)
        topics.save(learnt.topic_table, scratch)
        digest = hashlib.sha256((digest + learnt.topic_table.digest()).encode()).hexdigest()
    name = f"static-{digest[:8]}"
    target = embed.models_dir() / name
    if target.exists():
        shutil.rmtree(scratch)
    else:
        os.replace(scratch, target)
    StaticModelFile.objects.get_or_create(name=name, defaults={
        "archive": _archive(target), "papers": papers, "teacher_papers": teacher_papers})
    _make_current(name)
    return target


def due() -> bool:
    """Whether the hub should build a static model: none yet and enough papers to learn from, the hub grown to
    twice its size since the newest was built, or the current one has no topics."""
    papers = Paper.objects.count()
    if papers < MIN_TEACHER_PAPERS:
        return False
    newest = StaticModelFile.objects.order_by("-created_at", "-id").values_list("papers", flat=True).first()
    if newest is None:
        return embed.static_name() in (None, embed.LEGACY_STATIC)
    # Again at each doubling, though its samples are full: they are drawn from the whole hub, so a model built at
    # 100,000 papers knows nothing of the fields and words of the 100,000 that came since (its vocabulary and topics
    # do not hold them); a hub growing to millions builds a handful more, each within the hour (docs/operations.md).
    return papers >= 2 * max(newest, 1) or _without_topics()


def _without_topics() -> bool:
    """Whether this node's current model was built before models learnt topics (its directory holds no table, not
    even an empty one): built again once, so an upgraded hub's similar papers read topics too."""
    name = embed.static_name()
    path = embed.models_dir() / name if name else None
    return path is not None and (path / "model.safetensors").is_file() and not (path / topics.TABLE_FILE).is_file()


def sync() -> str | None:
    """Make the newest static model stored in the database this node's current one (unpacked if needed)."""
    newest = StaticModelFile.objects.order_by("-created_at", "-id").values_list("name", flat=True).first()
    if newest is None or newest == embed.static_name():
        return embed.static_name()
    target = embed.models_dir() / newest
    if not (target / "model.safetensors").is_file():
        archive = StaticModelFile.objects.filter(name=newest).values_list("archive", flat=True).first()
        if archive is None:
            return embed.static_name()
        scratch = embed.models_dir() / f".unpacking-{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(bytes(archive)), mode="r") as tar:
            tar.extractall(scratch, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(scratch, target)
    _make_current(newest)
    log.info("static model %s is current", newest)
    return newest
