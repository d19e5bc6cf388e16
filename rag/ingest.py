"""Ingestion: load, clean, chunk, embed and store articles — idempotently.

An article is re-embedded only when its fingerprint (text, metadata, and the versions of the
cleaning/chunking rules and of the model) changed. Articles previously ingested from the same
folders but no longer there are dropped.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from rag.chunking import passage_spans
from rag.cleaning import article_spans
from rag.loading import Article, LoadReport, iter_articles
from rag.store import DocRecord, PassageStore
from rag.types import Passage

log = logging.getLogger(__name__)

# Bump when cleaning or chunking rules change, so every article is re-processed.
PROCESSING_VERSION = "2"  # 2: over-long sentences cut into clauses


@dataclass
class IngestReport:
    """Outcome of one `rag ingest`, for the summary line and tests."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    passages: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """One line a person can read."""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped; "
            f"{self.passages} passages embedded in {self.seconds:.1f} s"
        )


def fingerprint(article: Article, model_id: str) -> str:
    """Changes whenever anything that shapes the article's passages changes."""
    digest = hashlib.sha256()
    for part in (
        PROCESSING_VERSION,
        model_id,
        article.text,
        article.outlet,
        article.title,
        article.published,
        article.body_ends_before,
    ):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def make_passages(article: Article) -> list[Passage]:
    """The article's quotable passages; each `text` is `article.text[start:end]`."""
    paragraphs = article_spans(article.text, article.body_ends_before)
    return [
        Passage(
            id=f"{article.doc}:{span.start}-{span.end}",
            doc=article.doc,
            outlet=article.outlet,
            title=article.title,
            published=article.published,
            start=span.start,
            end=span.end,
            text=article.text[span.start : span.end],
        )
        for span in passage_spans(article.text, paragraphs)
    ]


def _under(source: str, roots: Sequence[Path]) -> bool:
    """Whether `source` (a file, or 'collection#row') lies in one of the ingested `roots`."""
    for root in roots:
        root_text = str(root)
        if source == root_text or source.startswith((root_text + "/", root_text + "#")):
            return True
    return False


# Passages embedded per call: large enough to keep ONNX Runtime busy, small enough that memory
# stays bounded whatever the corpus size.
BATCH_PASSAGES = 512


def ingest(
    paths: Sequence[Path],
    store: PassageStore,
    embed: Callable[[list[str]], np.ndarray],
    model_id: str,
    *,
    progress: bool = True,
    embed_multilingual: Callable[[list[str]], np.ndarray] | None = None,
) -> IngestReport:
    """Bring the store in line with the articles under `paths`.

    Articles stream through in batches; each batch is written, and its articles recorded as
    complete, before the next is read — so an interrupted ingest resumes where it stopped.
    With `embed_multilingual`, each passage also gets a vector that questions in other
    languages are matched against (`model_id` must then name both models).
    """
    began = time.perf_counter()
    roots = [p.resolve() for p in paths]
    loaded = LoadReport()
    report = IngestReport()
    known = store.doc_records()
    seen: set[str] = set()
    pending: list[tuple[DocRecord, list[Passage]]] = []
    pending_passages = 0
    bar = tqdm(
        unit=" articles",
        desc="Ingesting",
        disable=not progress or not sys.stderr.isatty(),
        file=sys.stderr,
        leave=False,
    )

    def flush() -> None:
        nonlocal pending, pending_passages
        if not pending:
            return
        texts = [p.text for _, passages in pending for p in passages]
        vectors = embed(texts)
        multilingual = embed_multilingual(texts) if embed_multilingual else None
        batch, offset = [], 0
        for record, passages in pending:
            end = offset + len(passages)
            ml = multilingual[offset:end] if multilingual is not None else None
            batch.append((record, passages, vectors[offset:end], ml))
            offset = end
        store.replace_docs(batch)
        for record, passages in pending:
            (report.updated if record.doc in known else report.added).append(record.doc)
            report.passages += len(passages)
        pending, pending_passages = [], 0

    for article in iter_articles(paths, loaded):
        bar.update(1)
        seen.add(article.doc)
        fp = fingerprint(article, model_id)
        record = known.get(article.doc)
        if record and record.fingerprint == fp:
            report.unchanged.append(article.doc)
            continue
        passages = make_passages(article)
        if not passages:
            where = article.source or str(article.path)
            loaded.skipped.append((where, "no article text left after cleaning"))
            continue
        new_record = DocRecord(
            doc=article.doc,
            outlet=article.outlet,
            title=article.title,
            published=article.published,
            fingerprint=fp,
            source=article.source or str(article.path.resolve()),
            passages=len(passages),
        )
        pending.append((new_record, passages))
        pending_passages += len(passages)
        if pending_passages >= BATCH_PASSAGES:
            flush()
    flush()
    bar.close()

    # Files that failed to load this time are not "removed": their old passages stay.
    failed = {Path(p.split("#")[0]).stem for p, _ in loaded.skipped}
    for doc, record in known.items():
        if doc not in seen and doc not in failed and record.source and _under(record.source, roots):
            store.delete_doc(doc)
            report.removed.append(doc)
    report.skipped, report.warnings = loaded.skipped, loaded.warnings
    for path, reason in loaded.skipped:  # front ends show these; the log keeps a trace
        log.info("skipped %s: %s", path, reason)
    report.seconds = time.perf_counter() - began
    return report
