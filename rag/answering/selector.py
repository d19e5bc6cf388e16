"""The learned answer selector: which sentence answers, and whether to answer at all.

Two small models, trained by `rag train-answerer` (rag/training/answerer.py) and shipped as one
JSON file beside this module, checked by sha256 when loaded:
- the sentence model, a one-hidden-layer network over `features.SENTENCE_FEATURES`, gives each
  candidate sentence the probability that it holds the answer;
- the decision model, a logistic regression over `features.DECISION_FEATURES` (the best
  sentence's probability, its margin over the next, what of the question it covers…), gives
  the probability that the best sentence answers the question. The extractive answerer
  declines below its `Tuning.min_answer_probability` (the file's `meta` holds the
  out-of-fold figures per threshold that it was chosen from).

Run time is numpy only: two matrix products per question.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from rag.answering.features import DECISION_FEATURES, SENTENCE_FEATURES
from rag.errors import ModelMissing

MODEL_NAME = "answer-selector-v1.json"
HASH_NAME = "answer-selector-v1.sha256"


@dataclass(frozen=True)
class Dense:
    """One fully connected layer."""

    weights: np.ndarray  # (inputs, outputs)
    bias: np.ndarray  # (outputs,)


@dataclass(frozen=True)
class Network:
    """Standardise, then layers with ReLU between them, then a sigmoid."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    layers: tuple[Dense, ...]

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(positive) for each row of `rows` (n × features)."""
        if rows.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        x = (rows - self.mean) / self.scale
        for i, layer in enumerate(self.layers):
            x = x @ layer.weights + layer.bias
            if i < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        return (1.0 / (1.0 + np.exp(-x[:, 0]))).astype(np.float32)

    def to_json(self) -> dict:
        return {
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "layers": [
                {"weights": d.weights.tolist(), "bias": d.bias.tolist()} for d in self.layers
            ],
        }

    @classmethod
    def from_json(cls, data: dict, expected: tuple[str, ...]) -> Network:
        if tuple(data["features"]) != expected:
            raise ModelMissing(
                "The answer selector's model was trained on other features than this code "
                "computes: retrain it with `rag train-answerer`."
            )
        layers = tuple(
            Dense(np.asarray(d["weights"], np.float32), np.asarray(d["bias"], np.float32))
            for d in data["layers"]
        )
        return cls(
            tuple(data["features"]),
            np.asarray(data["mean"], np.float32),
            np.asarray(data["scale"], np.float32),
            layers,
        )


@dataclass(frozen=True)
class Selector:
    """The sentence model and the decision model, with what training measured."""

    sentence: Network
    decision: Network
    meta: dict

    def sentence_probabilities(self, rows: np.ndarray) -> np.ndarray:
        return self.sentence.probabilities(rows)

    def answer_probability(self, decision_row: np.ndarray) -> float:
        return float(self.decision.probabilities(decision_row[None, :])[0])

    def to_json(self) -> dict:
        return {
            "format": 1,
            "sentence": self.sentence.to_json(),
            "decision": self.decision.to_json(),
            "meta": self.meta,
        }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save(selector: Selector, folder: Path) -> Path:
    """Write the model and its hash file into `folder`; returns the model's path."""
    data = json.dumps(selector.to_json(), indent=None, separators=(",", ":")).encode("utf-8")
    path = folder / MODEL_NAME
    path.write_bytes(data)
    (folder / HASH_NAME).write_text(sha256(data) + "\n", encoding="utf-8")
    return path


def parse(data: bytes, expected_sha256: str) -> Selector:
    """The selector in `data`, after checking it against `expected_sha256`."""
    if sha256(data) != expected_sha256:
        raise ModelMissing(
            f"The answer selector's model file ({MODEL_NAME}) does not match its sha256: it "
            "is damaged or was edited. Reinstall the package or run `rag train-answerer`."
        )
    raw = json.loads(data)
    return Selector(
        sentence=Network.from_json(raw["sentence"], SENTENCE_FEATURES),
        decision=Network.from_json(raw["decision"], DECISION_FEATURES),
        meta=raw.get("meta", {}),
    )


@lru_cache(maxsize=1)
def shipped() -> Selector:
    """The model shipped with the package (loaded once)."""
    folder = resources.files("rag.answering").joinpath("models")
    try:
        data = folder.joinpath(MODEL_NAME).read_bytes()
        expected = folder.joinpath(HASH_NAME).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ModelMissing(
            f"The answer selector's model is missing ({exc}): reinstall the package or run "
            "`rag train-answerer`."
        ) from None
    return parse(data, expected)
