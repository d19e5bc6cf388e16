"""Hybrid retrieval: dense vectors and BM25, fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from rag.gloss import Glossary
from rag.normalize import words
from rag.seams import DenseSearch, LexicalSearch, SearchableIndex
from rag.types import Passage, ScoredPassage, SearchFilters

RRF_K = 60  # the constant from Cormack et al. (2009); damps the weight of top ranks
CANDIDATES = 30  # per retriever, before fusion
GUARANTEED_HEAD = 2  # each retriever's top hits always survive the cut to k
# Per-retriever RRF weights. BM25 over transliteration-folded terms is the stronger signal on
# names and numbers; tuned on seeds/gold/dev.jsonl + tune.jsonl (hit@1/hit@5). "gloss" is the
# English model on a non-English question's word-by-word gloss (rag.gloss), tuned on
# seeds/gold/crosslingual-tune.jsonl.
WEIGHTS = {"dense": 0.5, "bm25": 1.0, "gloss": 0.5}

MODES = ("hybrid", "dense", "bm25")


@dataclass
class Candidate:
    """A fused result with the evidence each retriever gave for it."""

    passage: Passage
    score: float  # fused RRF score
    cosine: float = 0.0  # dense similarity to the query
    bm25: float = 0.0
    ranks: dict[str, int] = field(default_factory=dict)


class HybridRetriever:
    """Dense + BM25 retrieval over one index; both sides honour the same filters.

    `index` is read on every call (rag.seams.SearchableIndex), so a reopened store or a
    rebuilt BM25 is followed; `embed` / `embed_multilingual` turn a query into vectors.
    """

    def __init__(
        self,
        index: SearchableIndex,
        embed: Callable[[str], np.ndarray],
        embed_multilingual: Callable[[Sequence[str]], np.ndarray] | None = None,
    ) -> None:
        self.index = index
        self._embed = lru_cache(maxsize=512)(embed)
        self._embed_multilingual_many = embed_multilingual
        self._embed_multilingual = (
            lru_cache(maxsize=512)(lambda text: embed_multilingual([text])[0])
            if embed_multilingual
            else None
        )
        self._glossary: tuple[LexicalSearch, Glossary] | None = None

    @property
    def store(self) -> DenseSearch:
        """The dense side of the index, as it is now."""
        return self.index.vectors

    @property
    def lexical(self) -> LexicalSearch | None:
        """The keyword side of the index, as it is now (None while empty)."""
        return self.index.lexical

    def _current_glossary(self) -> Glossary | None:
        lexical = self.lexical
        if lexical is None or self._embed_multilingual_many is None:
            return None
        cached = self._glossary
        if cached is None or cached[0] is not lexical:  # the index was rebuilt: new words
            words = lexical.surface_words()
            # The words the articles write only capitalised: names a question may type.
            names = frozenset(w for w in words if lexical.truecase(w) != w)
            cached = (lexical, Glossary(words, self._embed_multilingual_many, names=names))
            self._glossary = cached
        return cached[1]

    def gloss(self, query: str, language: str = "") -> str:
        """A non-English `query` as the articles' English words ('' without the multilingual
        model or an index); see rag.gloss."""
        glossary = self._current_glossary()
        return glossary.gloss(query, language) if glossary else ""

    def gloss_names(self, query: str, language: str = "") -> tuple[tuple[str, ...], ...]:
        """The names a non-English `query` types, as the articles spell them (see rag.gloss)."""
        glossary = self._current_glossary()
        return glossary.names(query, language) if glossary else ()

    def gloss_anchored(self, query: str, language: str = "") -> bool:
        """Whether the gloss of `query` carries a word over by its form (see rag.gloss)."""
        glossary = self._current_glossary()
        return glossary.anchored(query, language) if glossary else False

    def warm_up(self) -> None:
        """Embed the article vocabulary the gloss and related words use (see rag.gloss)."""
        glossary = self._current_glossary()
        if glossary is not None:
            glossary.prepare()

    def related_words(
        self, words: Sequence[str], min_cosine: float, limit: int
    ) -> dict[str, list[str]]:
        """Article words near each English word of `words` the articles never use (see
        Glossary.nearest); none without the multilingual model or an index."""
        glossary = self._current_glossary()
        if glossary is None:
            return {w: [] for w in words}
        return glossary.nearest([w.lower() for w in words], min_cosine, limit)

    def multilingual_query(self, query: str, language: str = "") -> str:
        """What the multilingual model reads for `query`: Belarusian respelled the Russian
        way (the model has no Belarusian), other languages as typed."""
        glossary = self._current_glossary()
        return glossary.respelled(query, language) if glossary else query

    def query_vector(self, query: str) -> np.ndarray:
        """The (cached) embedding of `query`."""
        return self._embed(query)

    def dense(
        self, query: str, k: int, filters: SearchFilters | None = None
    ) -> list[ScoredPassage]:
        """Top-`k` passages by the English model's vectors."""
        return self.store.dense_search(self.query_vector(query), k, filters)

    def bm25(self, query: str, k: int, filters: SearchFilters | None = None) -> list[ScoredPassage]:
        """Top-`k` passages by BM25 ([] while the index is empty)."""
        lexical = self.lexical
        return lexical.search(query, k, filters) if lexical else []

    def retrieve(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        language: str = "en",
    ) -> list[Candidate]:
        """Top-`k` candidates; `mode` picks hybrid (fused) or a single retriever.

        A question in another `language` is matched by the multilingual vectors instead of
        the English model's (which cannot read it); BM25 still finds its names and numbers.
        """
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; use one of {', '.join(MODES)}")
        space = "multilingual" if language != "en" and self._embed_multilingual else "en"
        dense: list[ScoredPassage] = []
        glossed: list[ScoredPassage] = []
        lexical_query = dense_query = query
        if mode != "bm25" and space == "en":
            dense = self.dense(self._dense_query(query), CANDIDATES, filters)
        elif space == "multilingual":
            english = self.gloss(query, language)
            # BM25 reads the gloss and the question (its transliterated names) together.
            lexical_query = f"{query} {english}"
            dense_query = self.multilingual_query(query, language)
            if mode != "bm25":
                vector = self._embed_multilingual(dense_query)  # type: ignore[misc]
                dense = self.store.dense_search(vector, CANDIDATES, filters, space="multilingual")
                if english and mode == "hybrid":
                    glossed = self.dense(english, CANDIDATES, filters)
        lexical = self.bm25(lexical_query, CANDIDATES, filters) if mode != "dense" else []
        fused: dict[str, Candidate] = {}
        for name, results in (("dense", dense), ("bm25", lexical), ("gloss", glossed)):
            for rank, hit in enumerate(results, start=1):
                cand = fused.setdefault(hit.passage.id, Candidate(hit.passage, 0.0))
                cand.score += WEIGHTS[name] / (RRF_K + rank)
                cand.ranks[name] = rank
                if name == "dense":
                    cand.cosine = hit.score
                elif name == "bm25":
                    cand.bm25 = hit.score
        ranked = self._keep_heads(sorted(fused.values(), key=lambda c: c.score, reverse=True), k)
        self._fill_cosines(dense_query, ranked, space)
        if mode == "dense":
            for c in ranked:
                c.score = c.cosine
        elif mode == "bm25":
            for c in ranked:
                c.score = c.bm25
        return ranked

    def _dense_query(self, query: str) -> str:
        """The query with typos corrected, when there were any: the embedding model is as
        thrown by 'clsoed' as BM25 is."""
        lexical = self.lexical
        if lexical is None:
            return query
        spelled = lexical.spell(query)
        return spelled if spelled != " ".join(words(query)) else query

    @staticmethod
    def _keep_heads(ranked: list[Candidate], k: int) -> list[Candidate]:
        """The first `k` of `ranked`, making room for each retriever's top hits.

        RRF favours passages both retrievers found; a name only BM25 matches (a rare spelling
        the embedding model does not know) would otherwise fall out of the top k.
        """
        top = ranked[:k]
        heads = [c for c in ranked[k:] if any(rank <= GUARANTEED_HEAD for rank in c.ranks.values())]
        for head in heads:
            # Replace the weakest passage that is nobody's head.
            for i in range(len(top) - 1, -1, -1):
                if all(rank > GUARANTEED_HEAD for rank in top[i].ranks.values()):
                    top[i] = head
                    break
        top.sort(key=lambda c: c.score, reverse=True)
        # Each retriever's r-th hit ranks no lower than 2r in the fused list: one retriever's
        # confident match (a rare name) is not buried under passages both found moderately.
        for name in WEIGHTS:
            for rank in range(1, GUARANTEED_HEAD + 1):
                at = next((i for i, c in enumerate(top) if c.ranks.get(name) == rank), None)
                allowed = 2 * rank - 1
                if at is not None and at > allowed:
                    top.insert(allowed, top.pop(at))
        return top

    def _fill_cosines(self, query: str, candidates: list[Candidate], space: str) -> None:
        """Dense similarity for candidates only BM25 found (the answerer weighs both)."""
        missing = [c for c in candidates if "dense" not in c.ranks]
        if not missing:
            return
        vectors = self.store.embeddings_for([c.passage.id for c in missing], space)
        if space == "en":
            q = self.query_vector(self._dense_query(query))
        else:
            q = self._embed_multilingual(query)  # type: ignore[misc]
        for c in missing:
            vec = vectors.get(c.passage.id)
            if vec is not None:
                c.cosine = float(np.dot(q, vec))
