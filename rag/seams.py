"""The narrow interfaces between the index and the question path.

The retriever and the answerers depend on these protocols, not on the concrete Chroma store or
BM25 index (rag.store.PassageStore and rag.lexical.LexicalIndex implement them), so a second
dense index, a reranker or a test fake plugs in without touching the question path. Library
internals (llama-index similarity maths, bm25s score arrays) stay behind the implementations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from rag.types import Passage, ScoredPassage, SearchFilters


@runtime_checkable
class DenseSearch(Protocol):
    """Nearest passages by vector, in a named vector space ("en", "multilingual")."""

    def dense_search(
        self, embedding: np.ndarray, k: int, filters: SearchFilters | None = None, space: str = "en"
    ) -> list[ScoredPassage]:
        """Top-`k` passages by cosine similarity to `embedding` (the score is the cosine)."""
        ...

    def embeddings_for(self, ids: Sequence[str], space: str = "en") -> dict[str, np.ndarray]:
        """The stored vectors of the passages `ids` (missing ids are left out)."""
        ...


@runtime_checkable
class Vocabulary(Protocol):
    """What an answerer may consult about the indexed words: spelling, expansion, document
    frequency, the passage before another, an article's lead and text."""

    @property
    def size(self) -> int:
        """How many passages the vocabulary was counted over."""
        ...

    def spell(self, text: str) -> str:
        """`text` with words unknown to the articles corrected to the nearest known ones."""
        ...

    def expand(self, query_terms: list[str]) -> list[str]:
        """Query terms plus the indexed terms of the same root ('valfov' -> 'valfovic')."""
        ...

    def document_frequency(self, term: str) -> int:
        """How many passages contain the (folded, stemmed) `term`."""
        ...

    def previous(self, passage: Passage) -> Passage | None:
        """The passage just before `passage` in its article (None at the start)."""
        ...

    def lead(self, passage: Passage) -> list[Passage]:
        """The first passages of `passage`'s article (its headline and lead: who and what it
        is about)."""
        ...

    def article_text(self, doc: str) -> str:
        """The passages of article `doc` in reading order, one a line (how it names people
        first: rag.answering.mentions)."""
        ...

    def truecase(self, text: str) -> str:
        """`text` with the names it types in lower case capitalised as the articles write
        them ("what did putin say" -> "what did Putin say")."""
        ...


@runtime_checkable
class LexicalSearch(Vocabulary, Protocol):
    """Keyword search over the passages, with the vocabulary it was built from."""

    def search(
        self, query: str, k: int, filters: SearchFilters | None = None
    ) -> list[ScoredPassage]:
        """Top-`k` passages for `query` by keyword score."""
        ...

    def surface_words(self) -> dict[str, int]:
        """Every indexed (folded) word with how many passages use it."""
        ...

    def article_passages(self, doc: str) -> list[Passage]:
        """The passages of article `doc`, in reading order."""
        ...


class SearchableIndex(Protocol):
    """What the retriever reads on every question: the current dense and lexical sides.

    Read per call, so an index that reopens its store (after another process's ingest) is
    followed without anyone reaching into the retriever.
    """

    @property
    def vectors(self) -> DenseSearch:
        """The dense side (the vector store)."""
        ...

    @property
    def lexical(self) -> LexicalSearch | None:
        """The keyword side (None while the index is empty)."""
        ...
