"""The answerer interface and the registry that picks one by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from rag.errors import ConfigError
from rag.retrieval import Candidate
from rag.types import Answer, SearchFilters, Turn

if TYPE_CHECKING:
    from rag.config import Settings
    from rag.seams import Vocabulary


RelatedWords = Callable[[Sequence[str], float, int], Mapping[str, Sequence[str]]]


@dataclass(frozen=True)
class AnswerRequest:
    """Everything an answerer may use: the question, the search that was run, and its results."""

    question: str
    search_query: str
    candidates: Sequence[Candidate]
    history: Sequence[Turn] = ()
    max_citations: int = 3
    # The indexed words an answerer may consult (spelling, document frequency, the previous
    # passage); None when there is no index (tests, tools).
    vocabulary: Vocabulary | None = field(default=None, compare=False)
    # Called with each piece of text as a streaming answerer produces it (None: no streaming).
    on_token: Callable[[str], None] | None = field(default=None, compare=False)
    language: str = "en"  # the question's language (rag.language): the reply's words follow it
    filters: SearchFilters | None = None  # what the search was restricted to
    # A non-English question as the articles' English words (rag.gloss); "" for English.
    gloss: str = ""
    # Whether the gloss carries a name, number, month or country over by its form, rather
    # than only the embedding model's nearest words (Glossary.anchored).
    gloss_anchored: bool = False
    # The names the question types, as the articles spell them, grouped as typed side by side
    # (Glossary.names): ("dmitry", "polyansky") for "Дмитрий Полянский".
    gloss_names: tuple[tuple[str, ...], ...] = ()
    # ...of them, those a follow-up types itself ("а что сказал лукашенко?" after a question
    # about Rau): what it asks about, which its passage must name; () for a first question.
    own_gloss_names: tuple[tuple[str, ...], ...] = ()
    # Article words near English words the articles never use: (words, min_cosine, limit)
    # -> {word: article words} (rag.retrieval.HybridRetriever.related_words); None: no index.
    related_words: RelatedWords | None = field(default=None, compare=False)

    def declined(self, reason: str, answerer: str) -> Answer:
        """The answer that declines this question with `reason` (no citations)."""
        return Answer(
            self.question,
            reason,
            True,
            [],
            search_query=self.search_query,
            answerer=answerer,
            language=self.language,
        )


def with_marker(text: str, n: int) -> str:
    """'… Belarus.' -> '… Belarus [1].'; quotes and other endings keep the marker after them."""
    stripped = text.rstrip()
    if stripped.endswith(".") and not stripped.endswith(".."):
        return f"{stripped[:-1]} [{n}]."
    return f"{stripped} [{n}]"


class Answerer(Protocol):
    """Turns retrieved passages into an answer with `[n]` markers and matching citations."""

    name: str

    def answer(self, request: AnswerRequest) -> Answer:
        """Answer, or decline (abstained=True, no citations) when the passages do not answer."""
        ...


AnswererFactory = Callable[["Settings"], Answerer]
_REGISTRY: dict[str, AnswererFactory] = {}


def register(name: str) -> Callable[[AnswererFactory], AnswererFactory]:
    """Decorator: make a backend available as RAG_ANSWERER / --answerer `name`."""

    def decorate(factory: AnswererFactory) -> AnswererFactory:
        _REGISTRY[name] = factory
        return factory

    return decorate


def available() -> list[str]:
    """Names of the registered answerers."""
    return sorted(_REGISTRY)


def create(name: str, settings: Settings) -> Answerer:
    """Instantiate the answerer called `name`."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ConfigError(
            f"Unknown answerer {name!r}: choose one of {', '.join(available())} "
            "(RAG_ANSWERER or --answerer)."
        ) from None
    return factory(settings)
