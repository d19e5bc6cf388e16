"""What a system produced for one question, in the plain form the metrics score."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.types import Answer, Passage, ScoredPassage


@dataclass(frozen=True)
class Span:
    """A passage as the metrics see it: which article, which outlet it was shown as, its text."""

    doc: str
    outlet: str
    text: str

    @classmethod
    def of(cls, passage: Passage) -> Span:
        return cls(doc=passage.doc, outlet=passage.outlet, text=passage.text)


@dataclass(frozen=True)
class Output:
    """One system's response to one question."""

    answer: str
    abstained: bool
    citations: tuple[Span, ...] = ()
    retrieved: tuple[Span, ...] = ()
    latency_s: float = 0.0
    error: str = ""
    answerer: str = ""
    fallback_reason: str = ""
    search_query: str = ""


@dataclass(frozen=True)
class SystemSpec:
    """A system under evaluation: the product, or a retrieval-only baseline."""

    name: str
    label: str
    mode: str = ""  # retrieval mode for baselines; "" for the product


PRODUCT = SystemSpec("product", "product (Pipeline.ask)")
BASELINES = (
    SystemSpec("dense", "dense top-1", mode="dense"),
    SystemSpec("bm25", "BM25 top-1", mode="bm25"),
)


def output_from_answer(answer: Answer, latency_s: float) -> Output:
    """What the product said, exactly as every front end receives it."""
    return Output(
        answer=answer.answer,
        abstained=bool(answer.abstained),
        citations=tuple(Span.of(c.passage) for c in answer.citations),
        retrieved=tuple(Span.of(r.passage) for r in answer.retrieved),
        latency_s=latency_s,
        answerer=answer.answerer,
        fallback_reason=answer.fallback_reason,
        search_query=answer.search_query,
    )


def baseline_output(hits: Sequence[ScoredPassage], latency_s: float) -> Output:
    """A retrieval-only system: answer with the top passage, cited as [1].

    It abstains only when retrieval returned nothing.
    """
    if not hits:
        return Output(answer="", abstained=True, latency_s=latency_s)
    top = Span.of(hits[0].passage)
    return Output(
        answer=f"{top.text} [1]",
        abstained=False,
        citations=(top,),
        retrieved=tuple(Span.of(h.passage) for h in hits),
        latency_s=latency_s,
        answerer="top-passage",
    )
