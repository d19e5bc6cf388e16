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

import re
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
    # ... or whatever its cosine, when every ranker puts it this high (crosslingual-tune-2:
    # one Belarusian question more right at 2, none at 1; no answer lost on either file).
    consensus_rank: int = 2
    # A question naming a year passes over first passages of other years, looking this far.
    year_lookahead: int = 3


TUNING = CrossLingualTuning()
RANKERS = ("dense", "bm25", "gloss")  # the searches a non-English question goes through


def supported(candidate: Candidate, tuning: CrossLingualTuning = TUNING) -> bool:
    """Whether the passage is close enough to the question to be its answer."""
    if candidate.cosine >= tuning.min_cosine:
        return True
    named = candidate.ranks.get("bm25", 99) <= 2
    if named and candidate.cosine >= tuning.min_cosine_with_name:
        return True
    # Every ranker puts it near the top: the multilingual vectors, BM25 on the names and
    # borrowed words the question shares with it, and the gloss. The cosine alone is weak
    # for Belarusian, which the multilingual model was not trained on.
    return all(candidate.ranks.get(r, 99) <= tuning.consensus_rank for r in RANKERS)


YEAR = re.compile(r"\b(?:19|20)\d\d\b")  # a year as the articles and questions write it


def of_other_years(candidate: Candidate, years: set[str]) -> bool:
    """Whether the passage is dated to other years than `years`: it names years, none of
    them asked, and its article is not of an asked year either ("November 2021" for a
    question about November 2024)."""
    named = set(YEAR.findall(candidate.passage.text))
    return bool(named) and not named & years and candidate.passage.published[:4] not in years


def best_candidate(request: AnswerRequest, tuning: CrossLingualTuning = TUNING) -> Candidate | None:
    """The passage the fused ranking puts first, passing over those of other years than the
    question asks about (on crosslingual-tune, reranking by the multilingual cosine or by
    BM25's name matches did no better)."""
    if not request.candidates:
        return None
    years = set(YEAR.findall(request.question))
    if years:
        for candidate in request.candidates[: tuning.year_lookahead]:
            if not of_other_years(candidate, years):
                return candidate
    return request.candidates[0]


def answer(request: AnswerRequest, answerer: str, chosen: Candidate | None = None) -> Answer:
    """The cross-lingual answer or decline for `request` (request.language is not English):
    the `chosen` passage, else the best candidate, quoted whole when it is close enough."""
    best = chosen or best_candidate(request)
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
