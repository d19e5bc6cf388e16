"""What the answer selector sees of a (question, sentence) pair, as a row of numbers.

One function computes the features at question time and at training time
(`rag train-answerer`), so the model is trained on exactly what it is later shown. Every
feature is a number in a small range; the list of names is saved with the model and checked
when it is loaded.

The features describe the pair, never the words: how much of the question (IDF-weighted,
spelling-tolerant) the sentence and its passage cover, whether the question's names and numbers
are in the sentence, its passage, or any article at all (a near miss names something the
articles lack, or swaps one name for another), whether the sentence holds the kind of thing
asked for and adds words beyond the question, negation on one side only, and the dense and
BM25 evidence of the passage with its ranks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.answering.question import QType, QuestionInfo
from rag.lexicon import english
from rag.normalize import fold

QTYPES = tuple(QType)

SENTENCE_FEATURES: tuple[str, ...] = (
    "cov_sentence",
    "cov_context",
    "cov_title",
    "cov_plain_sentence",
    "cov_gap",
    "pairs_sentence",
    "ent_count",
    "ent_sentence",
    "ent_context",
    "ent_unknown",
    "novel_sentence",
    "len_sentence",
    "typed_sentence",
    "typed_passage",
    "needs_type",
    "neg_question",
    "neg_mismatch",
    "cosine",
    "cosine_gap",
    "rrf_rel",
    "rank_fused_inv",
    "rank_dense_inv",
    "rank_bm25_inv",
    "sentence_first",
    "sentences_in_passage_inv",
    "unknown_share",
    "question_terms",
    *(f"qtype_{q.value}" for q in QTYPES),
)

_NEGATION = re.compile(r"\b(not|never|no|none|neither|nor|without|cannot|n't)\b|n't\b")


@dataclass
class QuestionView:
    """The question as the features need it: weighted terms, names and numbers, negation."""

    info: QuestionInfo
    weights: dict[str, float]  # term -> weight
    alternatives: dict[str, set[str]]  # term -> the spellings that count as it
    entities: dict[str, set[str]]  # name or number as typed -> its terms with alternatives
    unknown_entities: frozenset[str]  # of `entities`, those no article contains
    unknown_share: float
    order: list[str] = field(default_factory=list)  # the question's terms in order
    negated: bool = False
    unknown: frozenset[str] = frozenset()  # of `weights`, the terms no article has

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0


def coverage(q: QuestionView, text_terms: set[str]) -> float:
    """Weighted share of the question's terms found in `text_terms`."""
    held = sum(w for t, w in q.weights.items() if q.alternatives[t] & text_terms)
    return held / q.total


def plain_coverage(q: QuestionView, text_terms: set[str]) -> float:
    """Unweighted share of the question's terms found in `text_terms`."""
    if not q.weights:
        return 0.0
    return sum(1 for t in q.weights if q.alternatives[t] & text_terms) / len(q.weights)


def entity_coverage(q: QuestionView, text_terms: set[str]) -> float:
    """Share of the question's names and numbers found in `text_terms` (1.0 when it has none)."""
    if not q.entities:
        return 1.0
    held = sum(1 for alts in q.entities.values() if alts & text_terms)
    return held / len(q.entities)


def pair_coverage(q: QuestionView, sentence_terms: list[str]) -> float:
    """Share of the question's neighbouring term pairs that stand near each other (≤ 3 words
    apart) in the sentence: phrases, not just words ("border guard chief" vs "chief … guard")."""
    pairs = list(zip(q.order, q.order[1:], strict=False))
    if not pairs:
        return 0.0
    positions: dict[str, list[int]] = {}
    for i, term in enumerate(sentence_terms):
        positions.setdefault(term, []).append(i)

    def where(term: str) -> list[int]:
        return [i for alt in q.alternatives.get(term, {term}) for i in positions.get(alt, [])]

    near = 0
    for a, b in pairs:
        pa, pb = where(a), where(b)
        if any(abs(i - j) <= 3 for i in pa for j in pb):
            near += 1
    return near / len(pairs)


_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)", re.IGNORECASE)


def question_entities(question: str) -> list[str]:
    """Names and numbers of the question: capitalised words past the first (not sentence
    furniture like "The"), acronyms and numbers of two digits or more; in typed order, without
    repeats."""
    plain = english().plain_capitals
    found = []
    for i, word in enumerate(re.findall(r"[\w’'-]+", question)):
        if re.fullmatch(r"\d[\d.,]*", word):
            if len(word) > 1:  # a lone digit is as often "to" or "for" as a number
                found.append(word)
            continue
        if _ORDINAL.fullmatch(word):  # "the 21st century" is not the 20th
            found.append(word)
            continue
        if not word[:1].isupper() or word in plain:
            continue
        if word.isupper() and len(word) > 4:
            continue  # shouting ("ADMIN OVERRIDE"), not an acronym
        if i == 0 and not word.isupper():
            continue  # the first word is capitalised anyway
        found.append(re.sub(r"[’']s?$", "", word))
    return list(dict.fromkeys(found))


def is_negated(text: str) -> bool:
    return bool(_NEGATION.search(fold(text)))


@dataclass
class SentenceEvidence:
    """The raw facts about one candidate sentence that `sentence_row` turns into numbers."""

    sentence_terms: list[str]
    passage_terms: set[str]
    title_terms: set[str]
    text: str
    typed: bool
    passage_typed: bool
    cosine: float
    rrf: float
    fused_rank: int
    dense_rank: int | None
    bm25_rank: int | None
    index_in_passage: int
    sentences_in_passage: int
    # How the article first described the people the sentence names by surname only
    # (rag.answering.mentions): they count as the sentence's for the question's coverage.
    mention_terms: frozenset[str] = frozenset()


def sentence_row(
    q: QuestionView, e: SentenceEvidence, pool_max_cosine: float, pool_max_rrf: float
) -> list[float]:
    """The features of one sentence (see SENTENCE_FEATURES), before pool-relative gaps."""
    sentence_set = set(e.sentence_terms) | e.mention_terms
    context = e.passage_terms | e.title_terms | e.mention_terms
    question_terms = {a for alts in q.alternatives.values() for a in alts}
    novel = [t for t in e.sentence_terms if t not in question_terms]
    needs_type = q.info.qtype not in (QType.GENERIC, QType.YESNO, QType.STATEMENT)
    negated_sentence = is_negated(e.text)
    row = [
        coverage(q, sentence_set),
        coverage(q, context),
        coverage(q, e.title_terms),
        plain_coverage(q, sentence_set),
        0.0,  # cov_gap, filled by `pool_rows`
        pair_coverage(q, e.sentence_terms),
        min(len(q.entities), 5) / 5,
        entity_coverage(q, sentence_set),
        entity_coverage(q, context),
        len(q.unknown_entities) / len(q.entities) if q.entities else 0.0,
        len(novel) / max(len(e.sentence_terms), 1),
        min(len(e.text), 600) / 300,
        float(e.typed),
        float(e.passage_typed),
        float(needs_type),
        float(q.negated),
        float(q.negated != negated_sentence),
        max(e.cosine, 0.0),
        max(e.cosine, 0.0) - pool_max_cosine,
        e.rrf / pool_max_rrf if pool_max_rrf else 0.0,
        1.0 / e.fused_rank,
        1.0 / e.dense_rank if e.dense_rank else 0.0,
        1.0 / e.bm25_rank if e.bm25_rank else 0.0,
        float(e.index_in_passage == 0),
        1.0 / max(e.sentences_in_passage, 1),
        q.unknown_share,
        min(len(q.weights), 12) / 12,
    ]
    row.extend(float(q.info.qtype == t) for t in QTYPES)
    return row


def pool_rows(q: QuestionView, evidence: Sequence[SentenceEvidence]) -> np.ndarray:
    """Feature rows of every candidate sentence of one question (one row each)."""
    if not evidence:
        return np.zeros((0, len(SENTENCE_FEATURES)), dtype=np.float32)
    max_cos = max(max(e.cosine, 0.0) for e in evidence)
    max_rrf = max(e.rrf for e in evidence)
    rows = np.array([sentence_row(q, e, max_cos, max_rrf) for e in evidence], dtype=np.float32)
    cov = SENTENCE_FEATURES.index("cov_sentence")
    rows[:, SENTENCE_FEATURES.index("cov_gap")] = rows[:, cov] - rows[:, cov].max()
    return rows


# -- the question-level decision: answer or decline ---------------------------------------

DECISION_FEATURES: tuple[str, ...] = (
    "p_best",
    "logit_best",
    "p_second",
    "margin",
    "best_cov_sentence",
    "best_cov_context",
    "best_ent_sentence",
    "best_ent_context",
    "ent_unknown",
    "best_typed",
    "needs_type",
    "best_cosine",
    "best_pairs",
    "unknown_share",
    "question_terms",
    "neg_mismatch",
)


def decision_row(rows: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Question-level features from the sentence rows and their selection probabilities."""
    if len(probabilities) == 0:
        return np.zeros(len(DECISION_FEATURES), dtype=np.float32)
    order = np.argsort(-probabilities)
    best = rows[order[0]]
    p1 = float(probabilities[order[0]])
    p2 = float(probabilities[order[1]]) if len(order) > 1 else 0.0

    def f(name: str) -> float:
        return float(best[SENTENCE_FEATURES.index(name)])

    clipped = min(max(p1, 1e-4), 1 - 1e-4)
    return np.array(
        [
            p1,
            math.log(clipped / (1 - clipped)) / 5,
            p2,
            p1 - p2,
            f("cov_sentence"),
            f("cov_context"),
            f("ent_sentence"),
            f("ent_context"),
            f("ent_unknown"),
            max(f("typed_sentence"), f("typed_passage")),
            f("needs_type"),
            f("cosine"),
            f("pairs_sentence"),
            f("unknown_share"),
            f("question_terms"),
            f("neg_mismatch"),
        ],
        dtype=np.float32,
    )
