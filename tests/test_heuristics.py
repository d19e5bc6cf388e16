"""The answerer's and the retriever's heuristics, on hand-made cases and fakes at the seams.

No model, no store: a word-count vocabulary (rag.seams.Vocabulary), an in-memory index
(rag.seams.SearchableIndex) and a hash embedder stand in, so these run in milliseconds.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence

import numpy as np
import pytest

from rag.answering.base import AnswerRequest
from rag.answering.extractive import (
    ExtractiveAnswerer,
    holds_answer_type,
    question_view,
    unknown_names,
)
from rag.answering.features import coverage
from rag.answering.question import analyse
from rag.normalize import terms
from rag.retrieval import Candidate, HybridRetriever
from rag.seams import DenseSearch, LexicalSearch, SearchableIndex, Vocabulary
from rag.store import is_store_failure
from rag.types import Passage, ScoredPassage, SearchFilters

PASSAGES = [
    Passage(
        id=f"p{i}",
        doc=f"d{i}",
        text=text,
        outlet=outlet,
        title=f"Title {i}",
        published="2021-11-12",
        start=0,
        end=len(text),
    )
    for i, (outlet, text) in enumerate(
        [
            ("TASS", "Poland closed the Kuznica checkpoint on November 9, 2021."),
            ("RT", "About 15,000 troops were sent to the border, the ministry said."),
            ("TIME", "Lukashenko denied that Belarus had lured migrants to Minsk."),
        ]
    )
]


class WordCounts:
    """A Vocabulary over a few passages: no spelling correction, no expansion."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = list(passages)
        self._df: dict[str, int] = {}
        for p in self.passages:
            for term in set(terms(p.text)):
                self._df[term] = self._df.get(term, 0) + 1

    @property
    def size(self) -> int:
        return len(self.passages)

    def spell(self, text: str) -> str:
        return text

    def expand(self, query_terms: list[str]) -> list[str]:
        return list(query_terms)

    def document_frequency(self, term: str) -> int:
        return self._df.get(term, 0)

    def previous(self, passage: Passage) -> Passage | None:
        return None

    def lead(self, passage: Passage) -> list[Passage]:
        return []

    def article_text(self, doc: str) -> str:
        return "\n".join(p.text for p in self.article_passages(doc))

    def truecase(self, text: str) -> str:
        return text

    def search(
        self, query: str, k: int, filters: SearchFilters | None = None
    ) -> list[ScoredPassage]:
        wanted = set(terms(query))
        scored = [(len(wanted & set(terms(p.text))), p) for p in self.passages]
        return [ScoredPassage(p, float(s)) for s, p in sorted(scored, key=lambda x: -x[0]) if s][:k]

    def surface_words(self) -> dict[str, int]:
        return dict(self._df)

    def article_passages(self, doc: str) -> list[Passage]:
        return [p for p in self.passages if p.doc == doc]


def hash_vector(text: str, dim: int = 16) -> np.ndarray:
    """A deterministic unit vector per text (the fast tier's embedder)."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
    vec = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return vec / np.linalg.norm(vec)


class MemoryVectors:
    """A DenseSearch over the passages' hash vectors."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.vectors = {p.id: hash_vector(p.text) for p in passages}
        self.passages = {p.id: p for p in passages}

    def dense_search(
        self, embedding: np.ndarray, k: int, filters: SearchFilters | None = None, space: str = "en"
    ) -> list[ScoredPassage]:
        scored = [(float(np.dot(embedding, v)), pid) for pid, v in self.vectors.items()]
        scored.sort(reverse=True)
        return [ScoredPassage(self.passages[pid], s) for s, pid in scored[:k]]

    def embeddings_for(self, ids: Sequence[str], space: str = "en") -> dict[str, np.ndarray]:
        return {pid: self.vectors[pid] for pid in ids if pid in self.vectors}


class MemoryIndex:
    """A SearchableIndex whose sides can be swapped, as a reopen after an ingest does."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.vectors = MemoryVectors(passages)
        self.lexical: WordCounts | None = WordCounts(passages)


def test_the_fakes_satisfy_the_seams() -> None:
    index = MemoryIndex(PASSAGES)
    assert isinstance(index.vectors, DenseSearch)
    assert isinstance(index.lexical, LexicalSearch)
    assert isinstance(index.lexical, Vocabulary)
    _: SearchableIndex = index  # what the retriever is typed against


def test_the_retriever_follows_an_index_whose_sides_are_replaced() -> None:
    index = MemoryIndex(PASSAGES[:1])
    retriever = HybridRetriever(index, hash_vector)
    assert [c.passage.id for c in retriever.retrieve("troops border", k=3)] == ["p0"]
    index.vectors, index.lexical = MemoryVectors(PASSAGES), WordCounts(PASSAGES)  # "reopened"
    found = retriever.retrieve("troops border", k=3)
    assert found[0].passage.id == "p1"  # BM25's only match leads
    assert {c.passage.id for c in found} == {"p0", "p1", "p2"}


def _candidate(pid: str, score: float, **ranks: int) -> Candidate:
    passage = next(p for p in PASSAGES if p.id == pid)
    return Candidate(passage, score, ranks=dict(ranks))


def test_fusion_keeps_each_retrievers_top_hit_within_k() -> None:
    ranked = [
        _candidate("p0", 0.030, dense=3, bm25=3),
        _candidate("p1", 0.029, dense=4, bm25=4),
        _candidate("p2", 0.010, bm25=1),  # only BM25 found it, first: a rare name
    ]
    kept = HybridRetriever._keep_heads(ranked, k=2)
    # It replaced the weakest passage that was nobody's head, and ranks no lower than 2nd.
    assert [c.passage.id for c in kept] == ["p0", "p2"]


def test_fusion_moves_a_buried_first_hit_up_to_second_place() -> None:
    ranked = [
        _candidate("p0", 0.030, dense=2, bm25=2),
        _candidate("p1", 0.029, dense=3, bm25=3),
        _candidate("p2", 0.012, dense=1),  # the dense side's confident first hit
    ]
    kept = HybridRetriever._keep_heads(ranked, k=3)
    assert [c.passage.id for c in kept] == ["p0", "p2", "p1"]


def test_fusion_leaves_the_ranking_alone_when_every_head_fits() -> None:
    ranked = [_candidate("p0", 0.03, dense=1, bm25=1), _candidate("p1", 0.02, dense=2, bm25=2)]
    assert [c.passage.id for c in HybridRetriever._keep_heads(ranked, k=5)] == ["p0", "p1"]


@pytest.mark.parametrize(
    ("question", "sentence", "holds"),
    [
        ("How many troops were sent?", "About 15,000 troops were sent.", True),
        ("How many troops were sent?", "Troops were sent to the border.", False),
        # a day or a year is no count
        ("How many troops were sent?", "Troops were sent on November 8.", False),
        ("How many migrants died?", "The crisis started in spring 2021.", False),
        ("How many migrants came?", "Since 8 November 2021, 2,000 migrants came.", True),
        # "all three" points back at countries named before: no count of migrants
        ("How many migrants came?", "Then all three countries accused Minsk.", False),
        ("How many countries came?", "Three countries sent ministers.", True),
        ("When was the checkpoint closed?", "It was closed on November 9, 2021.", True),
        ("When was the checkpoint closed?", "The checkpoint was closed by Poland.", False),
        ("When was the library founded?", "The library, founded in 1816, is large.", True),
        ("When did it renounce violence?", "By the 1970s, it had renounced violence.", True),
        ("When was the palace built?", "It was built in the 17th century.", True),
        # a day right after "told" dates the saying, not what it was about
        ("When will talks happen?", "Talks are possible, Rau told the radio on Tuesday.", False),
        ("When did Rau give the interview?", "Rau said in an interview on November 12.", True),
        # a common word capitalised as the first one, a country's adjective: no place
        ("Where did the migrants come from?", "Several came from the Belarusian side.", False),
        ("Where did the migrants come from?", "Migrants came from Syria and Iraq.", True),
        ("Who closed the checkpoint?", "Poland closed the checkpoint.", True),
        ("Who closed the checkpoint?", "The checkpoint was closed.", False),
        ("Why was the checkpoint closed?", "It was closed because of the crowds.", True),
        # a circumstance given as the cause
        (
            "Why did Poland close the checkpoint?",
            "Against the background of the aggravated situation, Poland closed it.",
            True,
        ),
        ("Why was the checkpoint closed?", "It was closed amid clashes at the fence.", True),
        ("Why was the checkpoint closed?", "It was closed on Tuesday by Poland.", False),
        ("What is the basic unit of division?", "The basic unit is a commune.", True),
    ],
)
def test_an_answer_must_hold_what_the_question_asks_for(
    question: str, sentence: str, holds: bool
) -> None:
    info = analyse(question)
    assert holds_answer_type(info, sentence, set(terms(question))) is holds


def test_a_name_no_article_has_is_what_the_decline_names() -> None:
    question = "Did Merkel close the Kuznica checkpoint?"
    q = question_view(question, analyse(question), WordCounts(PASSAGES))
    assert unknown_names(question, q) == ["Merkel"]


def test_a_question_mostly_in_unknown_words_names_nothing() -> None:
    question = "Кто закрыл КПП Кузница?"  # another language: capitals are no cue
    q = question_view(question, analyse(question), WordCounts(PASSAGES))
    assert unknown_names(question, q) == []


def _related(table: dict[str, list[str]]):
    """A related-words seam (AnswerRequest.related_words) answering from `table`."""
    asked: list[str] = []

    def related(words: Sequence[str], min_cosine: float, limit: int) -> dict[str, list[str]]:
        asked.extend(words)
        return {w: table.get(w, [])[:limit] for w in words}

    return related, asked


def test_a_word_no_article_uses_counts_where_its_nearest_article_word_is() -> None:
    # "squaddies" is no article's word (nor in the paraphrase list); its neighbour "troops"
    # is RT's.
    question = "How many squaddies were sent to the border?"
    related, asked = _related({"squaddies": ["troops"]})
    with_related = question_view(question, analyse(question), WordCounts(PASSAGES), related)
    plain = question_view(question, analyse(question), WordCounts(PASSAGES))
    sentence = set(terms(PASSAGES[1].text))
    assert coverage(with_related, sentence) > coverage(plain, sentence)
    assert with_related.unknown_share < plain.unknown_share
    assert "squaddies" in asked and "border" not in asked  # only words no article has


def test_a_name_or_country_no_article_has_is_not_replaced_by_its_neighbours() -> None:
    # A name or a country the articles lack is a near miss to decline, never a paraphrase.
    question = "Did Merkel close the Kuznica checkpoint to finland?"
    related, asked = _related({"merkel": ["lukashenko"], "finland": ["poland"]})
    q = question_view(question, analyse(question), WordCounts(PASSAGES), related)
    assert "merkel" not in asked and "finland" not in asked
    assert unknown_names(question, q) == ["Merkel"]


def _request(question: str, passages: Sequence[Passage]) -> AnswerRequest:
    # Cosines as the English model gives them: the first passage close, the others far.
    candidates = [
        Candidate(p, 1.0 / (i + 60), cosine=0.7 if i == 0 else 0.2) for i, p in enumerate(passages)
    ]
    return AnswerRequest(question, question, candidates, vocabulary=WordCounts(PASSAGES))


def test_the_decline_says_which_name_the_articles_lack() -> None:
    answer = ExtractiveAnswerer().answer(
        _request("Did Merkel close the Kuznica checkpoint?", PASSAGES)
    )
    assert answer.abstained
    assert "Merkel" in answer.answer


def test_an_answerable_question_is_answered_from_its_sentence() -> None:
    answer = ExtractiveAnswerer().answer(_request("Who closed the Kuznica checkpoint?", PASSAGES))
    assert not answer.abstained, answer.answer
    assert answer.citations[0].passage.id == "p0"


def _raise_in(filename: str, exc: Exception) -> Exception:
    """`exc` as if raised by code in `filename` (the innermost frame decides)."""
    code = compile("raise exc", filename, "exec")
    try:
        exec(code, {"exc": exc})
    except Exception as raised:
        return raised
    raise AssertionError("not raised")


@pytest.mark.parametrize(
    ("exc", "failure"),
    [
        (_raise_in("/venv/site-packages/chromadb/api/client.py", ValueError("bad")), True),
        (_raise_in("/venv/site-packages/chromadb/api/base_http_client.py", Exception("5xx")), True),
        (_raise_in("/venv/site-packages/httpx/_transports/default.py", RuntimeError()), True),
        (_raise_in("/work/rag/store.py", ConnectionRefusedError()), True),  # an OSError
        (_raise_in("/work/rag/store.py", sqlite3.DatabaseError("malformed")), True),
        (_raise_in("/work/rag/store.py", ValueError("our own")), False),
        (_raise_in("/work/rag/store.py", KeyError("ours")), False),
        (_raise_in("/venv/site-packages/chromadb/api/client.py", TypeError("our call")), False),
    ],
)
def test_only_the_stores_own_failures_become_index_unavailable(
    exc: Exception, failure: bool
) -> None:
    assert is_store_failure(exc) is failure


def test_the_decline_gates_answer_only_when_every_one_passes() -> None:
    from dataclasses import replace

    from rag.answering.extractive import TUNING, Gates

    clear = Gates((), True, support=0.6, evidence=1.2, typed=True, answer_probability=0.9)
    assert clear.passed(TUNING)
    assert not replace(clear, unknown_names=("Merkel",)).passed(TUNING)
    assert not replace(clear, swapped_country=True).passed(TUNING)
    assert not replace(clear, typed=False).passed(TUNING)
    assert not replace(clear, answer_probability=0.0).passed(TUNING)
    # the decision model's doubt yields to a sentence matching the question this well
    assert replace(clear, answer_probability=0.0, support=TUNING.sure_support).passed(TUNING)
    # a passage wording the question otherwise passes when the decision model finds it likely
    otherwise = replace(clear, evidence=TUNING.min_evidence_when_likely)
    assert replace(otherwise, answer_probability=TUNING.likely_probability).passed(TUNING)
    assert not replace(otherwise, answer_probability=0.2).passed(TUNING)
    assert not Gates((), has_sentence=False).passed(TUNING)


def test_the_gate_calibration_counts_answers_right_and_declines() -> None:
    from dataclasses import asdict, replace

    from rag.answering.extractive import TUNING, Gates
    from rag.training.gates import accuracy

    def row(answerable: bool, right: bool, probability: float) -> dict:
        gates = Gates(
            (), True, support=0.6, evidence=1.2, typed=True, answer_probability=probability
        )
        return {"set": "t", "answerable": answerable, "right": right, "gates": asdict(gates)}

    rows = [
        row(True, True, 0.9),
        row(True, False, 0.9),
        row(False, False, 0.1),
        row(False, False, 0.5),
    ]
    overall, answered_right, declined = accuracy(rows, replace(TUNING, min_answer_probability=0.3))
    assert (answered_right, declined) == (0.5, 0.5) and overall == 0.5
    assert accuracy(rows, replace(TUNING, min_answer_probability=0.6))[2] == 1.0
