"""The shipped ONNX model loads from its package, embeds sensibly, and refuses damaged files."""

import numpy as np
import pytest

from rag.embedding import MODEL_FILE, Embedder, ShippedFile
from rag.errors import ModelMissing


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder(threads=1)


def test_vectors_are_unit_length_and_related_texts_are_closer(embedder: Embedder) -> None:
    v = embedder.embed(
        [
            "Poland closed the Kuznitsa checkpoint on the border.",
            "Which border crossing did Poland shut?",
            "The recipe needs two eggs and flour.",
        ]
    )
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_batching_does_not_change_vectors(embedder: Embedder) -> None:
    texts = [f"Sentence number {i} about migration." * (i % 3 + 1) for i in range(7)]
    together = embedder.embed(texts)
    alone = np.stack([embedder.embed_one(t) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_model_file_is_verified(tmp_path) -> None:
    assert MODEL_FILE.locate().stat().st_size == MODEL_FILE.size
    wrong = ShippedFile(MODEL_FILE.package, MODEL_FILE.relative_path, MODEL_FILE.size, "0" * 64)
    with pytest.raises(ModelMissing, match="damaged"):
        wrong.locate()
    with pytest.raises(ModelMissing, match="not installed"):
        ShippedFile("no_such_model_package", "model.onnx", 1, "0" * 64).locate()
