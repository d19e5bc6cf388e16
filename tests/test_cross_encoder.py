"""The cross-encoder's numpy forward pass scores exactly as the torch model it was trained as,
and its weights load only when their sha256 matches (training-time test: needs torch)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from rag.answering.cross_encoder import HASH_NAME, CrossEncoder
from rag.errors import ModelMissing

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from rag.training import cross_encoder as training

    torch.manual_seed(0)
    model = training._torch_model()
    out = tmp_path_factory.mktemp("xenc")
    training.export(model, out)
    return model, out


def _tokens(rng: random.Random, n: int) -> np.ndarray:
    return np.asarray([[rng.gauss(0, 1) for _ in range(1024)] for _ in range(n)], np.float32)


def test_numpy_scores_match_torch(trained):
    model, folder = trained
    rng = random.Random(1)
    question = _tokens(rng, 7)
    sentences = [_tokens(rng, n) for n in (5, 12, 9)]
    longest = max(s.shape[0] for s in sentences)
    padded = torch.zeros(len(sentences), longest, 1024)
    mask = torch.zeros(len(sentences), longest, dtype=torch.bool)
    for i, s in enumerate(sentences):
        padded[i, : s.shape[0]], mask[i, : s.shape[0]] = torch.from_numpy(s), True
    with torch.no_grad():
        expected = model(torch.from_numpy(question), padded, mask).numpy()
    got = CrossEncoder.load(folder).logits(question, sentences)
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_tampered_weights_are_refused(trained, tmp_path):
    _, folder = trained
    for f in folder.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / HASH_NAME).write_text("0" * 64 + "\n")
    with pytest.raises(ModelMissing, match="sha256"):
        CrossEncoder.load(tmp_path)
