"""Generative answerers: a language model writes the answer from the retrieved passages.

`LLMAnswerer` does everything but call the model, so that a backend is one small class with a
`complete` method (`openai`: any OpenAI-compatible chat endpoint, in llm_openai.py; `llamacpp`:
a local GGUF file, in llm_llamacpp.py). Around the model call it keeps the guard rails:

- before: when the extractive answerer finds retrieval too weak to answer, decline with its
  text and do not call the model;
- follow-ups: the model first rewrites the latest message as a standalone question (the
  condense prompt); that question goes into the answer prompt and `Answer.search_query`;
- after: `[n]` markers that match no source (or a source past the first `max_citations`
  cited) are dropped, the rest renumbered by first appearance, and exactly the cited passages
  (the retrieved objects, verbatim) attached;
- whenever the model fails — unreachable, an HTTP error, a malformed or empty reply, no
  valid citation, or no answer within `Settings.llm_timeout` seconds (condensing included)
  — the extractive answerer answers instead, with `Answer.fallback_reason` saying so.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from rag.answering import grounding, prompting, structured
from rag.answering.base import AnswerRequest, register
from rag.answering.extractive import ExtractiveAnswerer, ScoredSentence
from rag.answering.llm_markers import MarkerRewriter
from rag.errors import ConfigError, LLMUnavailable
from rag.i18n import message
from rag.retrieval import Candidate
from rag.types import Answer, Citation

if TYPE_CHECKING:
    from rag.config import Settings

log = logging.getLogger("rag.answering.llm")

MAX_SOURCES = 6  # passages shown to the model, the best first
MAX_ANSWER_TOKENS = 200
MAX_CONDENSED_CHARS = 400
# Generation stops where a small model starts echoing the prompt's own markup (at most four
# each: OpenAI's limit).
STOP = ("<source", "</source>", "<question>", "Question:")
CONDENSE_STOP = ("<message>", "</message>", "User:", "Assistant:")
MAX_CONDENSE_TOKENS = 80
FALLBACK_REASON = "The language model was unavailable ({reason}); this answer is extractive."
UNGROUNDED_REASON = (
    "The language model's answer was not supported by its sources ({reason}); "
    "this answer is extractive."
)

TokenSink = Callable[[str], None]


class Ungrounded(LLMUnavailable):
    """The model answered, but a sentence of its answer is not in the passages it cites."""


class Deadline:
    """One time budget for everything the model does for one question."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; raises LLMUnavailable when none are."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise self.expired()
        return left

    def check(self) -> None:
        """Raise LLMUnavailable once the budget is spent."""
        self.remaining()

    def expired(self) -> LLMUnavailable:
        """The error for a model that did not finish in time."""
        return LLMUnavailable(f"no answer within {self.seconds:g} s")


def select_sources(
    sentences: Sequence[ScoredSentence], candidates: Sequence[Candidate], limit: int = MAX_SOURCES
) -> list[Candidate]:
    """Up to `limit` distinct passages, ordered by their best sentence's extractive score."""
    chosen: dict[str, Candidate] = {}
    for cand in [s.candidate for s in sentences] + list(candidates):
        if len(chosen) >= limit:
            break
        chosen.setdefault(cand.passage.id, cand)
    return list(chosen.values())


_LABEL = re.compile(r"^\s*(?:\**\s*)?(?:standalone question|question|rewritten)\s*[:：]\s*", re.I)


def clean_condensed(raw: str) -> str | None:
    """The standalone question out of the model's reply, or None when it is unusable."""
    for line in raw.strip().splitlines():
        line = _LABEL.sub("", line)
        line = re.sub(r"</?message>", "", line).strip().strip("\"'“”«»*`").strip()
        if not line:
            continue
        if len(line) > MAX_CONDENSED_CHARS or sum(ch.isalnum() for ch in line) < 3:
            return None
        return line
    return None


class LLMAnswerer:
    """The shared part of every generative answerer; subclasses implement `complete`."""

    name = "llm"
    structured = False  # True: the backend enforces rag.answering.structured's JSON schema
    # Every answer is checked against its sources (rag.answering.grounding); only tests of the
    # marker handling, whose scripted replies are not about the passages, switch it off.
    check_grounding = True

    def __init__(self, settings: Settings, *, today: Callable[[], date] = date.today) -> None:
        self.timeout = settings.llm_timeout
        self.extractive = ExtractiveAnswerer()
        self._today = today

    # -- the one thing a backend provides -------------------------------------------------

    def complete(
        self,
        messages: list[prompting.Message],
        *,
        max_tokens: int,
        stop: Sequence[str],
        deadline: Deadline,
        on_token: TokenSink | None = None,
        json_schema: dict | None = None,
    ) -> str:
        """The model's reply to `messages` (temperature 0, ending before any of `stop`);
        stream each piece to `on_token` when it is given; in `json_schema` when given (only
        backends with `structured = True` are given one).

        Must finish before `deadline` and raise LLMUnavailable(reason) for any failure.
        """
        raise NotImplementedError

    # -- answering ------------------------------------------------------------------------

    def answer(self, request: AnswerRequest) -> Answer:
        """A cited answer written by the model, a decline, or the extractive fallback."""
        info, qterms, sentences = self.extractive.analyse(request)
        decline = self.extractive.decline_reason(request, info, qterms, sentences)
        if decline is not None:
            return request.declined(decline, self.name)
        sources = select_sources(sentences, request.candidates)
        deadline = Deadline(self.timeout)
        search_query = request.search_query
        try:
            question = request.question
            if request.history:
                question = search_query = self.condense(request, deadline)
            return self._generate(request, question, search_query, sources, deadline)
        except LLMUnavailable as exc:
            reason = exc.reason
            template = UNGROUNDED_REASON if isinstance(exc, Ungrounded) else FALLBACK_REASON
        except Exception as exc:  # a backend bug must not cost the user the answer
            log.warning("the %s answerer failed", self.name, exc_info=True)
            reason = f"unexpected error: {type(exc).__name__}"
            template = FALLBACK_REASON
        log.warning("%s answerer unavailable (%s): answering extractively", self.name, reason)
        fallback = self.extractive.answer(request)
        fallback.fallback_reason = template.format(reason=reason)
        fallback.search_query = search_query
        return fallback

    def condense(self, request: AnswerRequest, deadline: Deadline) -> str:
        """The latest message rewritten as a standalone question (the pipeline's query when
        the model's rewrite is unusable)."""
        messages = prompting.condense_messages(request.question, request.history, self._today())
        raw = self.complete(
            messages, max_tokens=MAX_CONDENSE_TOKENS, stop=CONDENSE_STOP, deadline=deadline
        )
        condensed = clean_condensed(raw)
        if condensed is None:
            log.info("unusable condensed question %r; using %r", raw[:200], request.search_query)
            return request.search_query
        log.info("condensed question: %s", condensed)
        return condensed

    def _generate(
        self,
        request: AnswerRequest,
        question: str,
        search_query: str,
        sources: list[Candidate],
        deadline: Deadline,
    ) -> Answer:
        messages = prompting.answer_messages(
            question, [c.passage for c in sources], structured=self.structured
        )
        rewriter = MarkerRewriter(len(sources), request.max_citations)
        on_token = request.on_token
        json_field = structured.AnswerFieldStream() if self.structured else None
        sink: TokenSink | None = None
        if on_token is not None or json_field is not None:

            def sink(piece: str) -> None:
                text = json_field.feed(piece) if json_field is not None else piece
                shown = rewriter.feed(text) if text else ""
                if shown and on_token is not None:
                    on_token(shown)

        extra = {"json_schema": structured.SCHEMA} if self.structured else {}
        raw = self.complete(
            messages,
            max_tokens=MAX_ANSWER_TOKENS,
            stop=() if self.structured else STOP,
            deadline=deadline,
            on_token=sink,
            **extra,
        )
        if self.structured:
            reply = structured.parse(raw)
            if reply is None:
                raise LLMUnavailable("its reply was not the JSON asked for")
            if reply.decline or not reply.answer:
                return request.declined(message("decline.generic", request.language), self.name)
            raw = reply.answer
        if sink is None:
            rewriter.feed(raw)
        tail = rewriter.finish()
        if tail and on_token is not None:
            on_token(tail)
        text, order = rewriter.text, rewriter.order
        if not raw.strip():
            raise LLMUnavailable("it returned an empty answer")
        if not order:
            raise LLMUnavailable("its answer cited no source")
        if sum(ch.isalnum() for ch in re.sub(r"\[\d+\]", "", text)) < 2:
            raise LLMUnavailable("its answer held no text")
        citations = [
            Citation(new, sources[n - 1].passage, sources[n - 1].score)
            for new, n in enumerate(order, start=1)
        ]
        failed = self.check_grounding and grounding.unsupported(
            text,
            {c.n: grounding.source_text(c.passage) for c in citations},
            english_answer=request.language == "en",
        )
        if failed:
            raise Ungrounded(failed)
        return Answer(
            request.question, text, False, citations, search_query=search_query, answerer=self.name
        )


# -- registration: the backends import their libraries only when chosen ---------------------


def _missing(package: str, extra: str, exc: ImportError) -> ConfigError:
    return ConfigError(
        f"This answerer needs the {package} package ({exc}): pip install 'rag-news[{extra}]'."
    )


@register("openai")
def _openai(settings: Settings) -> LLMAnswerer:
    try:
        from rag.answering.llm_openai import OpenAIAnswerer
    except ImportError as exc:
        raise _missing("openai", "llm", exc) from None
    return OpenAIAnswerer(settings)


@register("llamacpp")
def _llamacpp(settings: Settings) -> LLMAnswerer:
    from rag.answering.llm_llamacpp import LlamaCppAnswerer

    return LlamaCppAnswerer(settings)
