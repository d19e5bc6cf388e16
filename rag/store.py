"""The vector store: Chroma (embedded on disk, or a server) through llama-index's ChromaVectorStore.

Three collections: `<name>` holds one record per passage (text, English embedding, metadata),
`<name>__ml` the same passages' multilingual embeddings (for questions in other languages),
and `<name>__docs` one record per article (fingerprint, passage count), written after its
passages so an interrupted ingest is detected and repaired by the next one.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

import numpy as np
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.types import (
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
)
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.config import Settings
from rag.errors import IndexUnavailable, RagError
from rag.locking import exclusive_writer
from rag.types import ArticleInfo, Passage, ScoredPassage, SearchFilters

log = logging.getLogger(__name__)

READ_BATCH = 5_000
F = TypeVar("F", bound=Callable[..., object])
# One article to write: (record, passages, English embeddings, multilingual ones or None).
ArticleVectors = tuple["DocRecord", Sequence[Passage], np.ndarray, "np.ndarray | None"]


@dataclass(frozen=True)
class DocRecord:
    """What the store remembers about one indexed article."""

    doc: str
    outlet: str
    title: str
    published: str
    fingerprint: str
    source: str
    passages: int


def date_int(iso: str) -> int:
    """'2021-11-12' -> 20211112 (0 when unknown), for range filters."""
    return int(iso.replace("-", "")) if iso else 0


def open_client(settings: Settings):
    """A chromadb client: HTTP when RAG_CHROMA_URL is set, else embedded under the data dir."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise IndexUnavailable(
                f"RAG_CHROMA_URL={settings.chroma_url!r} is not a URL: use e.g. http://127.0.0.1:8000"
            )
        headers = (
            {"Authorization": f"Bearer {settings.chroma_token}"} if settings.chroma_token else None
        )
        try:
            client = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 80),
                ssl=url.scheme == "https",
                headers=headers,
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # chromadb raises many types for network failures
            if not is_store_failure(exc):
                raise
            raise IndexUnavailable(
                f"Cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}): "
                "start it (`chroma run --path DIR`) or unset RAG_CHROMA_URL to use the local store."
            ) from None
        return client
    path = settings.data_dir / "chroma"
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(settings.data_dir, 0o700)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        if not is_store_failure(exc):
            raise
        raise IndexUnavailable(
            f"Cannot open the index in {path} ({type(exc).__name__}: {exc}). "
            "Check permissions, or delete that folder and run `rag ingest` to rebuild it."
        ) from None


# Errors of our own code, never of a damaged index or a server that is gone: reporting them as
# "the index is unavailable, delete the folder" would send the user after the wrong problem.
OUR_BUGS: tuple[type[BaseException], ...] = (TypeError, AttributeError, NameError, AssertionError)
# Where a store failure comes from: chromadb (its Rust core surfaces in its Python frames),
# llama-index's Chroma adapter, the HTTP client and SQLite. chromadb raises ValueError, a bare
# Exception (an unknown server error) or its own ChromaError, so the place decides, not the type.
STORE_LIBRARIES = (
    f"{os.sep}chromadb{os.sep}",
    f"{os.sep}llama_index{os.sep}vector_stores{os.sep}",
    f"{os.sep}httpx{os.sep}",
    f"{os.sep}httpcore{os.sep}",
    f"{os.sep}sqlite3{os.sep}",
)


def is_store_failure(exc: BaseException) -> bool:
    """Whether `exc` is the store failing (server gone, file damaged), not a bug of ours.

    Like httpx's mapping of httpcore errors: only what the store's libraries raise, and
    OS-level failures (disk, network), become IndexUnavailable; anything else propagates.
    """
    if isinstance(exc, (*OUR_BUGS, RagError)):
        return False
    if isinstance(exc, OSError | sqlite3.Error):
        return True
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = tb.tb_frame.f_code.co_filename if tb is not None else ""
    return any(part in where for part in STORE_LIBRARIES)


def _guarded(method: F) -> F:
    """Turn any store failure (server gone, file damaged) into IndexUnavailable with advice."""

    @functools.wraps(method)
    def wrapper(self: PassageStore, *args: object, **kwargs: object) -> object:
        try:
            result = method(self, *args, **kwargs)
            if inspect.isgenerator(result):
                return _guard_iter(self, result)
            return result
        except Exception as exc:
            if not is_store_failure(exc):
                raise
            raise self.unavailable(exc) from exc

    return wrapper  # type: ignore[return-value]


def _guard_iter(store: PassageStore, items: Iterator[Passage]) -> Iterator[Passage]:
    try:
        yield from items
    except Exception as exc:
        if not is_store_failure(exc):
            raise
        raise store.unavailable(exc) from exc


class PassageStore:
    """Passages and their vectors, plus the per-article registry."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = open_client(settings)
        try:
            self.collection = self.client.get_or_create_collection(
                settings.collection, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
            self.multilingual = self.client.get_or_create_collection(
                f"{settings.collection}__ml",
                metadata={"hnsw:space": "cosine"},
                embedding_function=None,
            )
            self.docs = self.client.get_or_create_collection(
                f"{settings.collection}__docs", embedding_function=None
            )
        except Exception as exc:
            raise IndexUnavailable(
                f"The index is unreadable ({type(exc).__name__}: {exc}). "
                "Delete the data directory (RAG_DATA_DIR) and run `rag ingest` to rebuild it."
            ) from None
        self.vectors = ChromaVectorStore(chroma_collection=self.collection)
        self.spaces = {
            "en": self.vectors,
            "multilingual": ChromaVectorStore(chroma_collection=self.multilingual),
        }

    @classmethod
    def open(cls, settings: Settings) -> PassageStore:
        """Open the store, creating it if needed.

        Chroma's first-time set-up of an embedded store (SQLite migrations, collections) fails
        with an InternalError when two processes interleave it, e.g. two `rag ingest` runs on a
        new data directory. So the process that creates it holds the write lock meanwhile and
        leaves a marker; stores with the marker open without waiting for a running ingest.
        """
        if settings.chroma_url:
            return cls(settings)
        ready = store_path(settings) / f"{settings.collection}.ready"
        data_dir = settings.data_dir
        if ready.exists() or (data_dir.exists() and not os.access(data_dir, os.W_OK)):
            return cls(settings)  # read-only: nothing can be created, so nothing can race
        with exclusive_writer(data_dir):
            store = cls(settings)
            try:
                ready.touch()
            except OSError as exc:  # the store opened, so this only costs a wait next time
                log.debug("could not mark %s as created: %s", ready.parent, exc)
            return store

    def close(self) -> None:
        """Let go of the client: an embedded store is read from disk afresh when reopened."""
        try:
            self.client.close()
        except Exception as exc:  # already closed, or a server that is gone: nothing to keep
            log.debug("closing the Chroma client: %s", exc)

    def unavailable(self, exc: BaseException) -> IndexUnavailable:
        """The error to show when the store fails mid-session."""
        detail = f"{type(exc).__name__}: {exc}"[:200]
        if self.settings.chroma_url:
            return IndexUnavailable(
                f"The Chroma server at {self.settings.chroma_url} failed ({detail}). "
                "Check that it is running, then try again."
            )
        return IndexUnavailable(
            f"The index in {store_path(self.settings)} failed ({detail}). "
            "Delete that folder and run `rag ingest` to rebuild it."
        )

    # -- registry ---------------------------------------------------------------------------

    @_guarded
    def doc_records(self) -> dict[str, DocRecord]:
        """Every article the store has completely indexed."""
        records: dict[str, DocRecord] = {}
        for offset in range(0, self.docs.count(), READ_BATCH):
            got = self.docs.get(include=["metadatas"], limit=READ_BATCH, offset=offset)
            for doc_id, meta in zip(got["ids"], got["metadatas"], strict=False):
                records[doc_id] = DocRecord(
                    doc=doc_id,
                    outlet=str(meta.get("outlet", "")),
                    title=str(meta.get("title", "")),
                    published=str(meta.get("published", "")),
                    fingerprint=str(meta.get("fingerprint", "")),
                    source=str(meta.get("source", "")),
                    passages=int(meta.get("passages", 0)),
                )
        return records

    @_guarded
    def articles(self) -> list[ArticleInfo]:
        """Indexed articles, newest first."""
        infos = [
            ArticleInfo(r.doc, r.outlet, r.title, r.published, r.passages)
            for r in self.doc_records().values()
        ]
        return sorted(infos, key=lambda a: (a.published, a.doc), reverse=True)

    # -- writing ----------------------------------------------------------------------------

    def replace_doc(
        self,
        record: DocRecord,
        passages: Sequence[Passage],
        embeddings: np.ndarray,
        multilingual: np.ndarray | None = None,
    ) -> None:
        """Replace every passage of `record.doc`, then record the article as complete."""
        self.replace_docs([(record, passages, embeddings, multilingual)])

    @_guarded
    def replace_docs(self, items: Sequence[ArticleVectors]) -> None:
        """Replace the passages of several articles, then record them as complete.

        Each item is (record, passages, English embeddings, multilingual embeddings or None).
        Registry records are written last: an article whose passages were written but whose
        record was not is simply re-ingested next time (its passages replaced, never doubled).
        """
        if not items:
            return
        docs = [item[0].doc for item in items]
        self.docs.delete(ids=docs)
        self.collection.delete(where={"doc": {"$in": docs}})
        self.multilingual.delete(where={"doc": {"$in": docs}})
        batch = max(1, min(self.client.get_max_batch_size(), 5_000))
        for space, column in (("en", 2), ("multilingual", 3)):
            nodes = [
                _to_node(p, item[0].fingerprint, e)
                for item in items
                if item[column] is not None
                for p, e in zip(item[1], item[column], strict=True)
            ]
            for begin in range(0, len(nodes), batch):
                self.spaces[space].add(nodes[begin : begin + batch])
        self.docs.upsert(
            ids=docs,
            embeddings=[[1.0]] * len(docs),
            metadatas=[
                {
                    "outlet": record.outlet,
                    "title": record.title,
                    "published": record.published,
                    "fingerprint": record.fingerprint,
                    "source": record.source,
                    "passages": len(passages),
                }
                for record, passages, *_ in items
            ],
        )

    @_guarded
    def delete_doc(self, doc: str) -> None:
        """Forget an article: its registry record first, then its passages."""
        self.docs.delete(ids=[doc])
        self.collection.delete(where={"doc": doc})
        self.multilingual.delete(where={"doc": doc})

    # -- reading ----------------------------------------------------------------------------

    @_guarded
    def count(self) -> int:
        return self.collection.count()

    @_guarded
    def iter_passages(self) -> Iterator[Passage]:
        """Every stored passage, read in batches."""
        total = self.collection.count()
        for offset in range(0, total, READ_BATCH):
            got = self.collection.get(
                include=["documents", "metadatas"], limit=READ_BATCH, offset=offset
            )
            for pid, text, meta in zip(
                got["ids"], got["documents"], got["metadatas"], strict=False
            ):
                yield _to_passage(pid, text, meta)

    @_guarded
    def has_multilingual(self) -> bool:
        """Whether every passage also has its multilingual vector (indexes built before it
        existed have none until the next `rag ingest` re-embeds them)."""
        return self.multilingual.count() >= self.collection.count() > 0

    @_guarded
    def dense_search(
        self,
        embedding: np.ndarray,
        k: int,
        filters: SearchFilters | None = None,
        space: str = "en",
    ) -> list[ScoredPassage]:
        """Nearest passages by cosine similarity (the score is the cosine) in the vector
        `space` ("en": the English model's, "multilingual")."""
        query = VectorStoreQuery(
            query_embedding=embedding.tolist(),
            similarity_top_k=k,
            filters=to_metadata_filters(filters),
        )
        result = self.spaces[space].query(query)
        scored = []
        for node, similarity in zip(result.nodes or [], result.similarities or [], strict=False):
            # ChromaVectorStore reports exp(-distance); with cosine space, distance = 1 - cos.
            cosine = 1.0 + float(np.log(max(similarity, 1e-12)))
            scored.append(
                ScoredPassage(_to_passage(node.node_id, node.text, node.metadata), cosine)
            )
        return scored

    @_guarded
    def embeddings_for(self, ids: Sequence[str], space: str = "en") -> dict[str, np.ndarray]:
        """Stored vectors of the given passage ids in the vector `space`."""
        if not ids:
            return {}
        collection = self.collection if space == "en" else self.multilingual
        got = collection.get(ids=list(ids), include=["embeddings"])
        return {
            pid: np.asarray(vec, dtype=np.float32)
            for pid, vec in zip(got["ids"], got["embeddings"], strict=False)
        }


def to_metadata_filters(filters: SearchFilters | None) -> MetadataFilters | None:
    """SearchFilters as llama-index metadata filters (None when there is nothing to filter)."""
    if filters is None or filters.is_empty():
        return None
    parts: list[MetadataFilter] = []
    if filters.outlets:
        parts.append(
            MetadataFilter(key="outlet", value=list(filters.outlets), operator=FilterOperator.IN)
        )
    for bound, operator in (
        (filters.since, FilterOperator.GTE),
        (filters.until, FilterOperator.LTE),
    ):
        if bound:
            parts.append(
                MetadataFilter(
                    key="published_int", value=date_int(bound.isoformat()), operator=operator
                )
            )
    return MetadataFilters(filters=parts)


def matches(passage: Passage, filters: SearchFilters | None) -> bool:
    """Whether `passage` passes `filters` (the same rule Chroma applies, for BM25 results)."""
    if filters is None or filters.is_empty():
        return True
    if filters.outlets and passage.outlet not in filters.outlets:
        return False
    day = date_int(passage.published)
    if filters.since and day < date_int(filters.since.isoformat()):
        return False
    return not (filters.until and day > date_int(filters.until.isoformat()))


def _to_node(passage: Passage, fingerprint: str, embedding: np.ndarray) -> TextNode:
    node = TextNode(
        id_=passage.id,
        text=passage.text,
        embedding=[float(x) for x in embedding],
        metadata={
            "doc": passage.doc,
            "outlet": passage.outlet,
            "title": passage.title,
            "published": passage.published,
            "published_int": date_int(passage.published),
            "start": passage.start,
            "end": passage.end,
            "fingerprint": fingerprint,
        },
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=passage.doc)
    return node


def _to_passage(pid: str, text: str | None, meta: dict) -> Passage:
    return Passage(
        id=pid,
        doc=str(meta.get("doc", "")),
        outlet=str(meta.get("outlet", "")),
        title=str(meta.get("title", "")),
        published=str(meta.get("published", "")),
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        text=text or "",
    )


def store_path(settings: Settings) -> Path:
    """Where the embedded store lives (for messages)."""
    return settings.data_dir / "chroma"
