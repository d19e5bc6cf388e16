"""Answering a question asked in another language than the articles' English.

The sentence selector's features are English word overlaps, which a Russian or Polish
question cannot have. What does work across languages is the multilingual embedding (the
question and the English passage land near each other) and the names and numbers BM25 matches
through transliteration (Лукашенко / Lukashenko, Кузница / Kuźnica). So: the passage ranked
first by both, quoted whole and verbatim in English, when its multilingual similarity reaches
a threshold calibrated on seeds/gold/crosslingual-tune.jsonl; otherwise a decline, in the
question's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.answering.base import AnswerRequest, with_marker
from rag.i18n import message
from rag.retrieval import Candidate
from rag.types import Answer, Citation


@dataclass(frozen=True)
class CrossLingualTuning:
    # The multilingual cosine the first passage must reach. Set on crosslingual-tune.jsonl: the
    # answerable questions' first passages reach 0.16–0.47; questions about nothing in the
    # articles ("Какая столица Перу?") stay near 0.1.
    min_cosine: float = 0.25
    # ... or this, when BM25 also ranks it among its first two (a name or number matched).
    min_cosine_with_name: float = 0.15


TUNING = CrossLingualTuning()


def supported(candidate: Candidate, tuning: CrossLingualTuning = TUNING) -> bool:
    """Whether the passage is close enough to the question to be its answer."""
    if candidate.cosine >= tuning.min_cosine:
        return True
    named = candidate.ranks.get("bm25", 99) <= 2
    return named and candidate.cosine >= tuning.min_cosine_with_name


def best_candidate(request: AnswerRequest) -> Candidate | None:
    """The passage the fused ranking puts first (on crosslingual-tune, reranking by the
    multilingual cosine or by BM25's name matches did no better)."""
    return request.candidates[0] if request.candidates else None


def answer(request: AnswerRequest, answerer: str) -> Answer:
    """The cross-lingual answer or decline for `request` (request.language is not English)."""
    best = best_candidate(request)
    if best is None or not supported(best):
        return request.declined(message("decline.generic", request.language), answerer)
    passage = best.passage
    quote = " ".join(passage.text.split())
    return Answer(
        question=request.question,
        answer=with_marker(quote, 1),
        abstained=False,
        citations=[Citation(1, passage, best.score)],
        search_query=request.search_query,
        answerer=answerer,
        language=request.language,
    )
