"""The one pipeline every front end (CLI, bot, evaluation) goes through."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from rag import answering, smalltalk
from rag.answering import overview
from rag.answering.overview import asks_for_overview
from rag.compound import Part, merge, split_question
from rag.config import Settings
from rag.conversation import (
    asks_for_another_account,
    asks_for_source,
    completes_previous,
    named_outlets,
    only_names_outlets,
    standalone_query,
    stands_alone_in_outlet,
    without_outlets,
    without_source_turns,
)
from rag.embedding import Embedder
from rag.errors import InvalidQuestion, RagError
from rag.i18n import join_names, message
from rag.index import Index
from rag.ingest import IngestReport
from rag.language import detect_language
from rag.quotes import quoted_in, shown_text
from rag.rephrasing import ministry_head_as_minister
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


def _interleaved(lists: Sequence[Sequence[ScoredPassage]], k: int) -> list[ScoredPassage]:
    """The first `k` distinct passages taking turns from each list (each part's search)."""
    seen: set[tuple[str, str]] = set()
    out: list[ScoredPassage] = []
    for rank in range(max((len(x) for x in lists), default=0)):
        for found in lists:
            if rank < len(found):
                key = (found[rank].passage.doc, found[rank].passage.text)
                if key not in seen:
                    seen.add(key)
                    out.append(found[rank])
    return out[:k]


class Pipeline:
    """The question path over one index: validate, resolve a follow-up, retrieve, answer, cite.

    The index's life (opening, ingest, locks, freshness, BM25) belongs to rag.index.Index;
    this class only reads from it. Thread-safe for concurrent `ask` calls. Construct with
    :meth:`open`.
    """

    def __init__(self, settings: Settings, index: Index) -> None:
        self.settings = settings
        self.index = index
        self.retriever = HybridRetriever(
            index,
            index.embedder.embed_one,
            index.embed_multilingual if settings.multilingual else None,
        )
        self._answerers: dict[str, answering.Answerer] = {}

    @classmethod
    def open(cls, settings: Settings | None = None, *, auto_ingest: bool = True) -> Pipeline:
        """Open the index named by `settings` (ingesting the seeds into an empty one)."""
        settings = settings or Settings.from_env()
        return cls(settings, Index.open(settings, auto_ingest=auto_ingest))

    # -- the index, for front ends (each call is the Index's) ---------------------------------

    @property
    def store(self) -> PassageStore:
        """The passage store as it is now (a reopen after another process's ingest replaces it)."""
        return self.index.store

    @property
    def embedder(self) -> Embedder:
        """The English embedding model."""
        return self.index.embedder

    def ingest(self, paths: Sequence[Path] = (), *, progress: bool = True) -> IngestReport:
        """Index articles under `paths` (the seeds when empty); see rag.index.Index.ingest."""
        return self.index.ingest(paths, progress=progress)

    def refresh_lexical(self) -> None:
        """Reload or rebuild BM25 for the store as it is (after writing to the store directly)."""
        self.index.refresh_lexical()

    def outlets(self) -> tuple[str, ...]:
        """The outlets of the indexed articles."""
        return self.index.outlets()

    def warm_up(self) -> None:
        """Do now what the first question would otherwise wait for: embed the article
        vocabulary that non-English questions and English paraphrase words are looked up in
        (rag.gloss), list the names a question may type in lower case. Safe to run in a
        background thread beside questions."""
        if self.index.lexical is not None:
            self.index.lexical.names()
        try:
            self.retriever.warm_up()
        except RagError as exc:  # e.g. a damaged model file: the first question says so
            log.info("Warm-up skipped: %s", exc)

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
        with self.index.reading(require_passages=True):
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
        # "what did putin say": the name as the articles write it, for what reads names.
        lexical = self.index.lexical
        truecase = lexical.truecase if lexical else None
        query = standalone_query(question, history, truecase)
        # A follow-up may join languages ("and what did TASS say?" after a Russian question):
        # the search follows the query's language, the reply the question's.
        query_language = language
        if query != question and language == "en" and history:
            query_language = detect_language(history[-1].question)
        named = named_outlets(question, self.outlets())
        if query != question:
            alone = standalone_query(question, [], truecase)
            if stands_alone_in_outlet(alone, named) and not completes_previous(
                question, history, truecase
            ):
                # "what does TASS say about when it escalated": its articles, for that alone
                query, query_language = alone, language
            elif only_names_outlets(alone, named) and (turns := without_source_turns(history)):
                # "what about TIME?": the previous question as it was searched, in TIME's
                # articles ("what about" would make it ask for a thing).
                query = standalone_query(turns[-1].question, turns[:-1], truecase)
        if filters is None or filters.is_empty():
            # "what does TASS say?": a question that names an outlet is about its articles.
            filters = SearchFilters(outlets=named) if named else filters
        if named and filters is not None and set(named) <= set(filters.outlets or ()):
            # "what about RT?" after "tass - when did it escalate?": the search is in RT's
            # articles, for the previous question without any outlet's name.
            query = without_outlets(query, self.outlets() if query != question else named)
        # The answerer weighs a wider pool than the `retrieved` list shows.
        found = self.candidates(
            query,
            k=max(self.settings.retrieve_k, ANSWER_POOL),
            filters=filters,
            language=query_language,
        )
        if asks_for_another_account(question, history) and not named:
            # "and what did Poland say?": not the passage just quoted again. (An outlet's
            # account, "what does RT say?", may well be the RT passage just shown.)
            shown = shown_text(history[-1].answer)
            found = [c for c in found if not quoted_in(c.passage.text, shown)]
        gloss = self.retriever.gloss(query, query_language) if query_language != "en" else ""
        gloss = ministry_head_as_minister(gloss)  # "who heads interior ministry belarus"
        return answering.AnswerRequest(
            question=question,
            search_query=query,
            candidates=found,
            history=tuple(history),
            max_citations=self.settings.max_citations,
            vocabulary=self.index.lexical,
            on_token=on_token,
            language=language,
            filters=filters,
            gloss=gloss,
            gloss_anchored=bool(gloss) and self.retriever.gloss_anchored(query, query_language),
            gloss_names=self.retriever.gloss_names(query, query_language) if gloss else (),
            own_gloss_names=self.retriever.gloss_names(question, language)
            if gloss and query != question and language != "en"
            else (),
            related_words=self.retriever.related_words,
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
        if asks_for_source(question, history):  # "which outlet?" after an answer
            found = self.source_of_previous(question, history, filters, answerer)
            if found is not None:
                return found
        chosen = self.answerer(answerer)
        request = self.request(question, history=history, filters=filters, on_token=on_token)
        if asks_for_overview(request.search_query):
            return self.overview(request)
        parts = []
        # Split as asked, before the outlets it names are taken out of the search; a follow-up
        # only when it asks two things itself, not because the previous question it was
        # joined to began with "and how many…".
        if (
            chosen.name == "extractive"
            and request.language == "en"
            and (not history or len(split_question(standalone_query(question, ()))) > 1)
        ):
            parts = split_question(standalone_query(question, history))
        if len(parts) > 1:  # "who was minister in June, and who by November?"
            answer = self.answer_parts(question, parts, history, filters, chosen)
            if answer is not None:
                return answer
        answer = chosen.answer(request)
        answer.retrieved = [
            ScoredPassage(c.passage, c.score)
            for c in request.candidates[: self.settings.retrieve_k]
        ]
        answer.search_query = answer.search_query or request.search_query  # an LLM may rewrite
        return answer

    def answer_parts(
        self,
        question: str,
        parts: Sequence[Part],
        history: Sequence[Turn],
        filters: SearchFilters | None,
        chosen: answering.Answerer,
    ) -> Answer | None:
        """A question asking two things answered part by part (rag.compound), or None when
        no part is answered (the whole question then gets its own try)."""
        answers = []
        for part in parts:
            request = self.request(part.query, filters=filters)
            answers.append(chosen.answer(request))
            answers[-1].search_query = request.search_query
            answers[-1].retrieved = [
                ScoredPassage(c.passage, c.score)
                for c in request.candidates[: self.settings.retrieve_k]
            ]
        if all(a.abstained for a in answers):
            return None
        language = detect_language(question)
        answer = merge(
            question, parts, answers, lambda part: message("decline.part", language, part=part)
        )
        answer.language = language
        answer.retrieved = _interleaved([a.retrieved for a in answers], self.settings.retrieve_k)
        return answer

    def source_of_previous(
        self,
        question: str,
        history: Sequence[Turn],
        filters: SearchFilters | None = None,
        answerer: str | None = None,
    ) -> Answer | None:
        """ "which outlet said that?", "source?": the previous answer again (asked again as it
        was asked, so its passages are cited as they were), led by its outlets and dates;
        None when that answer is declined now (the articles changed)."""
        history = without_source_turns(history)
        if not history:
            return None
        previous = history[-1]
        earlier = self.ask(
            previous.question, history=history[:-1], filters=filters, answerer=answerer
        )
        if earlier.abstained or not earlier.citations:
            return None
        language = detect_language(question)
        markers: dict[tuple[str, str], list[int]] = {}
        for c in earlier.citations:
            markers.setdefault((c.passage.outlet, c.passage.published), []).append(c.n)
        sources = [
            f"{outlet} ({published or message('date.unknown', language)}) "
            + "".join(f"[{n}]" for n in numbers)
            for (outlet, published), numbers in markers.items()
        ]
        lead = message("source.lead", language, sources=join_names(sources, language, "and"))
        earlier.question, earlier.language = question, language
        earlier.answer = f"{lead} {earlier.answer}"
        return earlier

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
        passages = {a.doc: self.index.article_passages(a.doc) for a in articles}
        answer = overview.compose(request, articles, passages, "overview")
        answer.retrieved = [ScoredPassage(c.passage, c.score) for c in answer.citations]
        return answer

    def sources(self) -> list[ArticleInfo]:
        """The indexed articles, newest first."""
        return self.index.sources()
