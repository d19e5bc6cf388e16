"""Words news English uses for the same thing, by their terms (rag/lexicon/en/paraphrases.txt).

A question typed with "soldiers" is covered by a sentence saying "troops"; "cops bust gangs"
by "law enforcers broke up … rings" (rag.answering.extractive.question_view), and BM25
searches for both (rag.lexical.LexicalIndex.search). The article vocabulary's nearest words
(`rag.gloss.Glossary.nearest`) stand in only for words no article uses; this list also joins
words that both occur, which no cosine over a small corpus tells apart from near misses.
"""

from __future__ import annotations

from functools import lru_cache

from rag.lexicon import read_lines
from rag.normalize import terms


@lru_cache(maxsize=1)
def paraphrase_terms() -> dict[str, frozenset[str]]:
    """Each term -> the terms of every word sharing a line with it (itself excluded)."""
    joined: dict[str, set[str]] = {}
    for line in read_lines("en", "paraphrases.txt"):
        group = {t for word in line.split() for t in terms(word)}
        for term in group:
            joined.setdefault(term, set()).update(group - {term})
    return {term: frozenset(others) for term, others in joined.items()}
