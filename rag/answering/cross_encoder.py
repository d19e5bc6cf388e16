"""A learned question–sentence comparison (decomposable attention), numpy at run time.

Each question token attends over the sentence's tokens; the pair [token, aligned, product,
difference, best raw and contextual cosine] is compared by a small layer, pooled over the
question's tokens by a learned importance weight and by max, and scored. Token vectors come
from USE-multilingual-v3 (`MultilingualEmbedder.token_features`), so it needs no other model.
Trained by `python -m rag.training.cross_encoder` (torch at training time only); the weights
are one `.npz` beside this module, checked by sha256 when loaded.

Prototype: measured on held-out SQuAD articles (see the training module), not yet a feature
of the answer selector.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.errors import ModelMissing

MODEL_NAME = "sentence-xenc-v1.npz"
HASH_NAME = "sentence-xenc-v1.sha256"
MODEL_DIR = Path(__file__).parent / "models"
RAW = 512  # raw piece embedding width; the contextual vector follows it


def _normalise(x: np.ndarray) -> np.ndarray:
    return x / np.clip(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12, None)


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


class CrossEncoder:
    """Scores how well each sentence answers a question, from their token vectors."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> CrossEncoder:
        """Load and verify the shipped weights (ModelMissing says how to rebuild them)."""
        path, digest_path = folder / MODEL_NAME, folder / HASH_NAME
        if not path.is_file() or not digest_path.is_file():
            raise ModelMissing(f"{path} is missing: run `python -m rag.training.cross_encoder`.")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != digest_path.read_text().split()[0]:
            raise ModelMissing(f"{path} does not match its sha256: rebuild or restore it.")
        with np.load(path) as z:
            return cls({k: z[k] for k in z.files})

    def logits(self, question: np.ndarray, sentences: Sequence[np.ndarray]) -> np.ndarray:
        """One logit per sentence; `question` and each sentence are (n_tokens, 1024)."""
        w = self.w
        hq = np.tanh(question @ w["proj.weight"].T + w["proj.bias"])
        q_raw, q_ctx = _normalise(question[:, :RAW]), _normalise(question[:, RAW:])
        out = np.empty(len(sentences), dtype=np.float32)
        for i, s in enumerate(sentences):
            hs = np.tanh(s @ w["proj.weight"].T + w["proj.bias"])
            aligned = _softmax(hq @ hs.T, axis=1) @ hs
            best_raw = (q_raw @ _normalise(s[:, :RAW]).T).max(axis=1, keepdims=True)
            best_ctx = (q_ctx @ _normalise(s[:, RAW:]).T).max(axis=1, keepdims=True)
            pair = np.concatenate(
                [hq, aligned, hq * aligned, np.abs(hq - aligned), best_raw, best_ctx], axis=1
            )
            compared = np.maximum(pair @ w["comp.0.weight"].T + w["comp.0.bias"], 0)
            importance = np.concatenate([hq, best_raw, best_ctx], axis=1) @ w["imp.weight"].T
            weight = _softmax(importance[:, 0] + w["imp.bias"][0], axis=0)[:, None]
            pooled = np.concatenate([(weight * compared).sum(0), compared.max(0)])
            hidden = np.maximum(pooled @ w["out.0.weight"].T + w["out.0.bias"], 0)
            out[i] = float(hidden @ w["out.2.weight"][0] + w["out.2.bias"][0])
        return out

    def probabilities(self, question: np.ndarray, sentences: Sequence[np.ndarray]) -> np.ndarray:
        """The probability that each sentence holds the answer."""
        return 1.0 / (1.0 + np.exp(-self.logits(question, sentences)))
