"""Plain data passed between the pipeline's stages and its front ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Passage:
    """A quotable span of one article: `text` is exactly `article[start:end]`."""

    id: str
    doc: str
    outlet: str
    title: str
    published: str  # "YYYY-MM-DD", or "" when unknown
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ScoredPassage:
    """A passage with the score a retriever gave it (higher is better)."""

    passage: Passage
    score: float


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer; `n` matches the `[n]` marker in the answer."""

    n: int
    passage: Passage
    score: float

    def to_json(self) -> dict[str, Any]:
        p = self.passage
        return {
            "n": self.n,
            "doc": p.doc,
            "outlet": p.outlet,
            "title": p.title,
            "published": p.published,
            "passage": p.text,
            "score": round(float(self.score), 4),
        }


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation, kept to resolve follow-up questions."""

    question: str
    answer: str = ""


@dataclass(frozen=True)
class SearchFilters:
    """Restrict retrieval to some outlets and/or a published-date range (inclusive)."""

    outlets: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None

    def is_empty(self) -> bool:
        return not self.outlets and self.since is None and self.until is None


@dataclass
class Answer:
    """What every front end shows: the answer text with `[n]` markers and its citations."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[ScoredPassage] = field(default_factory=list)
    # The standalone question actually searched for (differs for follow-ups).
    search_query: str = ""
    answerer: str = "extractive"
    # Set when a requested answerer failed and the extractive one answered instead.
    fallback_reason: str = ""
    language: str = "en"  # the question's language: front ends frame the answer in it
    small_talk: bool = False  # a reply to "hi" or "thanks": no search, no citations

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract other tools depend on."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "retrieved": [
                {
                    "doc": r.passage.doc,
                    "outlet": r.passage.outlet,
                    "passage": r.passage.text,
                    "score": round(float(r.score), 6),
                }
                for r in self.retrieved
            ],
        }


@dataclass(frozen=True)
class ArticleInfo:
    """One indexed article, as `rag sources` and the bot's /sources list it."""

    doc: str
    outlet: str
    title: str
    published: str
    passages: int
