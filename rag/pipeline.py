"""The one pipeline every front end (CLI, bot, evaluation) goes through."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rag import answering, smalltalk
from rag.answering import overview
from rag.answering.overview import asks_for_overview
from rag.config import Settings
from rag.conversation import named_outlets, standalone_query
from rag.embedding import Embedder
from rag.embedding_multilingual import MODEL_ID as MULTILINGUAL_MODEL_ID
from rag.embedding_multilingual import MultilingualEmbedder, shared_multilingual_embedder
from rag.errors import IndexUnavailable, InvalidQuestion, UsageError
from rag.freshness import ReadersWriterLock, bump_generation, read_generation
from rag.ingest import IngestReport, ingest
from rag.language import detect_language
from rag.lexical import LexicalIndex
from rag.locking import exclusive_writer, writer_if_free
from rag.normalize import TERMS_VERSION
from rag.retrieval import Candidate, HybridRetriever
from rag.smalltalk import small_talk_intent
from rag.store import PassageStore
from rag.types import Answer, ArticleInfo, ScoredPassage, SearchFilters, Turn

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2_000
ANSWER_POOL = 20  # passages the answerer chooses from


def validate_question(question: str) -> str:
    """The question stripped of surrounding space and control characters, or InvalidQuestion."""
    cleaned = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in question or "")
    cleaned = " ".join(cleaned.split())
    if not any(ch.isalnum() for ch in cleaned):
        raise InvalidQuestion("The question is empty: type a question about the articles.")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(
            f"The question is {len(cleaned):,} characters long; keep it under "
            f"{MAX_QUESTION_CHARS:,} — one question, not a document."
        )
    return cleaned


class Pipeline:
    """Opens the index (building it from the seeds on first use) and answers questions.

    Thread-safe for concurrent `ask` calls. Construct with :meth:`open`.
    """

    def __init__(self, settings: Settings, store: PassageStore, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self._multilingual: MultilingualEmbedder | None = None
        self.retriever = HybridRetriever(
            store,
            None,
            embedder.embed_one,
            self._embed_multilingual_many if settings.multilingual else None,
        )
        self._answerers: dict[str, answering.Answerer] = {}
        self._lock = threading.Lock()
        # Reads share the store; reopening it (after another process's ingest) waits for them.
        self._store_use = ReadersWriterLock()
        self._generation = read_generation(settings.data_dir)
        # Once the store has passages, counting them again per question is wasted (67 ms over
        # HTTP at a million); the cache is dropped whenever this or another process ingests.
        self._has_passages = False
        self._outlets: tuple[str, ...] | None = None  # the indexed outlets, read once
        self._lock_multilingual = threading.Lock()

    @classmethod
    def open(cls, settings: Settings | None = None, *, auto_ingest: bool = True) -> Pipeline:
        """Open the store named by `settings`; ingest the seeds if the store is empty."""
        settings = settings or Settings.from_env()
        store = PassageStore.open(settings)
        pipeline = cls(settings, store, Embedder(settings.threads, settings.embed_batch))
        if auto_ingest and store.count() == 0:
            with exclusive_writer(settings.data_dir):
                if store.count() == 0:  # another process may have built it while we waited
                    log.info("index is empty: ingesting the seeds from %s", settings.seeds_dir)
                    pipeline.ingest([settings.seeds_dir], progress=False)
                    return pipeline
        pipeline.refresh_lexical()
        return pipeline

    # -- indexing ---------------------------------------------------------------------------

    @property
    def multilingual_embedder(self) -> MultilingualEmbedder:
        """The multilingual model, loaded on first use (English questions never need it)."""
        with self._lock_multilingual:
            if self._multilingual is None:
                self._multilingual = shared_multilingual_embedder(self.settings.embed_batch)
            return self._multilingual

    def _embed_multilingual_many(self, texts: Sequence[str]) -> np.ndarray:
        return self.multilingual_embedder.embed(texts)

    @property
    def model_id(self) -> str:
        """What the stored vectors were made with: a change re-embeds every article."""
        if not self.settings.multilingual:
            return self.embedder.model_id
        return f"{self.embedder.model_id}+{MULTILINGUAL_MODEL_ID}"

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
                embed_multilingual=(
                    self.multilingual_embedder.embed if self.settings.multilingual else None
                ),
            )
            self.refresh_lexical()
            self._generation = bump_generation(self.settings.data_dir)  # tell other readers
            self._forget_index_facts()
        return report

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
                self.retriever.store = self.store
            self.refresh_lexical()
            self._generation = generation
            self._forget_index_facts()

    def _stamp(self) -> str:
        records = sorted((r.doc, r.fingerprint) for r in self.store.doc_records().values())
        digest = hashlib.sha256(repr(records).encode("utf-8"))
        digest.update(str(self.store.count()).encode())
        digest.update(TERMS_VERSION.encode())
        return digest.hexdigest()[:32]

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
        self.retriever.lexical = lexical

    def _forget_index_facts(self) -> None:
        """Drop what was read once about the index's contents (after any ingest)."""
        self._has_passages = False
        self._outlets = None

    def outlets(self) -> tuple[str, ...]:
        """The outlets of the indexed articles."""
        if self._outlets is None:
            self._outlets = tuple(sorted({a.outlet for a in self.sources()}))
        return self._outlets

    # -- answering --------------------------------------------------------------------------

    def answerer(self, name: str | None = None) -> answering.Answerer:
        """The answerer called `name` (default: the configured one), created once."""
        name = name or self.settings.answerer
        if name not in self._answerers:
            self._answerers[name] = answering.create(name, self.settings)
        return self._answerers[name]

    def candidates(
        self,
        query: str,
        *,
        k: int | None = None,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        language: str = "en",
    ) -> list[Candidate]:
        """Fused retrieval results with their per-retriever evidence."""
        self.follow_other_writers()
        with self._store_use.reading():
            if not self._has_passages:
                if self.store.count() == 0:
                    raise IndexUnavailable("The index is empty: run `rag ingest` to add articles.")
                self._has_passages = True
            return self.retriever.retrieve(
                query, k or self.settings.retrieve_k, filters, mode, language
            )

    def retrieve(
        self, query: str, *, mode: str = "hybrid", k: int = 10, filters: SearchFilters | None = None
    ) -> list[ScoredPassage]:
        """Top-`k` passages for `query`; mode is "hybrid", "dense" or "bm25"."""
        return [
            ScoredPassage(c.passage, c.score)
            for c in self.candidates(query, k=k, filters=filters, mode=mode)
        ]

    def request(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        filters: SearchFilters | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> answering.AnswerRequest:
        """What an answerer is given for `question`: the validated question, the query
        searched for (a follow-up resolved against `history`) and the passages found.

        The one place a question becomes an AnswerRequest: `ask`, the evaluation and training
        all go through it. Raises rag.errors.InvalidQuestion for empty or over-long questions.
        """
        question = validate_question(question)
        language = detect_language(question)
        query = standalone_query(question, history)
        # A follow-up may join languages ("and what did TASS say?" after a Russian question):
        # the search follows the query's language, the reply the question's.
        query_language = language
        if query != question and language == "en" and history:
            query_language = detect_language(history[-1].question)
        if filters is None or filters.is_empty():
            # "what does TASS say?": a question that names an outlet is about its articles.
            named = named_outlets(question, self.outlets())
            filters = SearchFilters(outlets=named) if named else filters
        # The answerer weighs a wider pool than the `retrieved` list shows.
        found = self.candidates(
            query,
            k=max(self.settings.retrieve_k, ANSWER_POOL),
            filters=filters,
            language=query_language,
        )
        return answering.AnswerRequest(
            question=question,
            search_query=query,
            candidates=found,
            history=tuple(history),
            max_citations=self.settings.max_citations,
            lexical=self.retriever.lexical,
            on_token=on_token,
            language=language,
            filters=filters,
            gloss=self.retriever.gloss(query, query_language) if query_language != "en" else "",
        )

    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        filters: SearchFilters | None = None,
        answerer: str | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer `question` (a follow-up is resolved against `history`).

        `on_token` receives the answer text as it streams from answerers that stream (LLMs).
        Raises rag.errors.InvalidQuestion for empty or over-long questions.
        """
        intent = small_talk_intent(validate_question(question))
        if intent is not None:  # "hi", "thanks", "who are you?": no search
            return self.small_talk(question, intent)
        chosen = self.answerer(answerer)
        request = self.request(question, history=history, filters=filters, on_token=on_token)
        if asks_for_overview(request.search_query):
            return self.overview(request)
        answer = chosen.answer(request)
        answer.retrieved = [
            ScoredPassage(c.passage, c.score)
            for c in request.candidates[: self.settings.retrieve_k]
        ]
        answer.search_query = answer.search_query or request.search_query  # an LLM may rewrite
        return answer

    def small_talk(self, question: str, intent: str) -> Answer:
        """The friendly reply to small talk, saying what the articles are about."""
        language = detect_language(question)
        text = smalltalk.reply(intent, language, self.sources())
        return Answer(
            question, text, False, [], answerer="small-talk", language=language, small_talk=True
        )

    def overview(self, request: answering.AnswerRequest) -> Answer:
        """What the articles (of the outlets the question names) are about."""
        outlets = set(request.filters.outlets) if request.filters else set()
        articles = [a for a in self.sources() if not outlets or a.outlet in outlets]
        lexical = self.retriever.lexical
        passages = {a.doc: lexical.article_passages(a.doc) for a in articles} if lexical else {}
        answer = overview.compose(request, articles, passages, "overview")
        answer.retrieved = [ScoredPassage(c.passage, c.score) for c in answer.citations]
        return answer

    def sources(self) -> list[ArticleInfo]:
        """The indexed articles, newest first."""
        self.follow_other_writers()
        with self._store_use.reading():
            return self.store.articles()
