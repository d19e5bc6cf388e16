"""The index's life: open, ingest, one writer at a time, freshness, reopen, BM25 beside it.

`Index` owns the passage store (Chroma), the BM25 index saved next to it and the embedding
models that fill them. The question path (rag.pipeline) only reads from it, through
:meth:`Index.reading` and the `vectors` / `lexical` sides (rag.seams.SearchableIndex).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.embedding import Embedder
from rag.embedding_multilingual import MODEL_ID as MULTILINGUAL_MODEL_ID
from rag.embedding_multilingual import MultilingualEmbedder, shared_multilingual_embedder
from rag.errors import IndexUnavailable, UsageError
from rag.freshness import ReadersWriterLock, bump_generation, read_generation
from rag.ingest import IngestReport, ingest
from rag.lexical import LexicalIndex
from rag.locking import exclusive_writer, writer_if_free
from rag.normalize import TERMS_VERSION
from rag.store import PassageStore
from rag.types import ArticleInfo, Passage

log = logging.getLogger(__name__)


class Index:
    """The store, BM25 and embedders of one data directory and collection.

    Thread-safe: many readers at once; an ingest or a reopen waits for them. Construct with
    :meth:`open`.
    """

    def __init__(self, settings: Settings, store: PassageStore, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self._lexical: LexicalIndex | None = None
        self._multilingual: MultilingualEmbedder | None = None
        self._lock = threading.Lock()
        self._lock_multilingual = threading.Lock()
        # Reads share the store; reopening it (after another process's ingest) waits for them.
        self._store_use = ReadersWriterLock()
        self._generation = read_generation(settings.data_dir)
        # Once the store has passages, counting them again per question is wasted (67 ms over
        # HTTP at a million); the cache is dropped whenever this or another process ingests.
        self._has_passages = False
        self._outlets: tuple[str, ...] | None = None  # the indexed outlets, read once

    @classmethod
    def open(cls, settings: Settings, *, auto_ingest: bool = True) -> Index:
        """Open the store named by `settings`; ingest the seeds if the store is empty."""
        store = PassageStore.open(settings)
        index = cls(settings, store, Embedder(settings.threads, settings.embed_batch))
        if auto_ingest and store.count() == 0:
            with exclusive_writer(settings.data_dir):
                if store.count() == 0:  # another process may have built it while we waited
                    log.info("index is empty: ingesting the seeds from %s", settings.seeds_dir)
                    index.ingest([settings.seeds_dir], progress=False)
                    return index
        index.refresh_lexical()
        return index

    # -- the sides the retriever reads (rag.seams.SearchableIndex) ---------------------------

    @property
    def vectors(self) -> PassageStore:
        """The dense side: the current store (a reopen replaces it)."""
        return self.store

    @property
    def lexical(self) -> LexicalIndex | None:
        """The keyword side: BM25 over the store's passages (None while empty)."""
        return self._lexical

    # -- embedding models ---------------------------------------------------------------------

    @property
    def multilingual_embedder(self) -> MultilingualEmbedder:
        """The multilingual model, loaded on first use (English questions never need it)."""
        with self._lock_multilingual:
            if self._multilingual is None:
                self._multilingual = shared_multilingual_embedder(self.settings.embed_batch)
            return self._multilingual

    def embed_multilingual(self, texts: Sequence[str]) -> np.ndarray:
        """Multilingual vectors of `texts` (loads the model on first use)."""
        return self.multilingual_embedder.embed(texts)

    @property
    def model_id(self) -> str:
        """What the stored vectors were made with: a change re-embeds every article."""
        if not self.settings.multilingual:
            return self.embedder.model_id
        return f"{self.embedder.model_id}+{MULTILINGUAL_MODEL_ID}"

    # -- writing ------------------------------------------------------------------------------

    def ingest(self, paths: Sequence[Path] = (), *, progress: bool = True) -> IngestReport:
        """Index articles under `paths` (the seeds when empty), then refresh BM25."""
        paths = list(paths) or [self.settings.seeds_dir]
        missing = [str(p) for p in paths if not Path(p).exists()]
        if missing:
            raise UsageError(f"No such file or folder: {', '.join(missing)}. Check the path.")
        with self._lock, exclusive_writer(self.settings.data_dir):
            report = ingest(
                paths,
                self.store,
                self.embedder.embed,
                self.model_id,
                progress=progress,
                embed_multilingual=self.embed_multilingual if self.settings.multilingual else None,
            )
            self.refresh_lexical()
            self._generation = bump_generation(self.settings.data_dir)  # tell other readers
            self._forget_contents()
        return report

    def refresh_lexical(self) -> None:
        """Load the saved BM25 index if it matches the store, else rebuild and save it."""
        folder = self.settings.data_dir / "bm25" / self.settings.collection
        stamp = self._stamp()
        lexical = LexicalIndex.load(folder, stamp)
        if lexical is None:
            lexical = LexicalIndex.build(self.store.iter_passages())
            with writer_if_free(self.settings.data_dir) as free:
                # While another process ingests, its own save will follow: keep ours in memory.
                if lexical is not None and free:
                    try:
                        lexical.save(folder, stamp)
                    except OSError as exc:  # read-only data dir: keep it in memory only
                        log.warning("could not save the BM25 index to %s: %s", folder, exc)
        self._lexical = lexical

    def _stamp(self) -> str:
        """What the saved BM25 must match: the store's articles, its size, the terms version."""
        records = sorted((r.doc, r.fingerprint) for r in self.store.doc_records().values())
        digest = hashlib.sha256(repr(records).encode("utf-8"))
        digest.update(str(self.store.count()).encode())
        digest.update(TERMS_VERSION.encode())
        return digest.hexdigest()[:32]

    # -- freshness ----------------------------------------------------------------------------

    def follow_other_writers(self) -> None:
        """Reopen the index if another process has ingested since we opened it.

        An embedded Chroma client keeps serving the vectors it loaded, so it is closed and
        opened afresh; BM25 is reloaded (the writer saved it) in both modes.
        """
        generation = read_generation(self.settings.data_dir)
        if generation == self._generation:
            return
        with self._lock, self._store_use.writing():
            if generation == self._generation:
                return
            log.info("the index changed on disk: reopening it")
            if not self.settings.chroma_url:
                self.store.close()
                self.store = PassageStore.open(self.settings)
            self.refresh_lexical()
            self._generation = generation
            self._forget_contents()

    def _forget_contents(self) -> None:
        """Drop what was read once about the index's contents (after any ingest)."""
        self._has_passages = False
        self._outlets = None

    # -- reading ------------------------------------------------------------------------------

    @contextmanager
    def reading(self, *, require_passages: bool = False) -> Iterator[Index]:
        """Hold the index steady for one read (a reopen waits); follows other writers first.

        With `require_passages`, an empty index raises IndexUnavailable saying what to do.
        """
        self.follow_other_writers()
        with self._store_use.reading():
            if require_passages and not self._has_passages:
                if self.store.count() == 0:
                    raise IndexUnavailable("The index is empty: run `rag ingest` to add articles.")
                self._has_passages = True
            yield self

    def sources(self) -> list[ArticleInfo]:
        """The indexed articles, newest first."""
        with self.reading():
            return self.store.articles()

    def outlets(self) -> tuple[str, ...]:
        """The outlets of the indexed articles."""
        if self._outlets is None:
            self._outlets = tuple(sorted({a.outlet for a in self.sources()}))
        return self._outlets

    def article_passages(self, doc: str) -> list[Passage]:
        """The passages of article `doc`, in reading order ([] if it is not indexed)."""
        lexical = self.lexical
        return lexical.article_passages(doc) if lexical else []
