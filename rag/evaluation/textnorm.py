"""Text normalisation and matching shared by every metric (no language model involved)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rag.normalize import strip_accents

# Two texts "overlap" when they share a run of at least this many characters (after
# normalisation) or one contains the other: independent of where chunks were cut.
MIN_OVERLAP_CHARS = 30

_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """NFKC, casefold, whitespace runs collapsed to one space: how passages meet evidence."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


@lru_cache(maxsize=8192)
def fold_answer(text: str) -> str:
    """For answer strings: `normalize`, then diacritics and typographic quotes dropped
    (Kuźnica -> kuznica, ł -> l; the letters rag.normalize folds). Cyrillic stays Cyrillic:
    a Russian expected answer is matched in Russian."""
    return strip_accents(normalize(text))


def overlaps(a: str, b: str, min_chars: int = MIN_OVERLAP_CHARS) -> bool:
    """True when `a` and `b` (normalised) share >= `min_chars` characters in a row or one
    contains the other. Empty texts overlap nothing."""
    a, b = normalize(a), normalize(b)
    if not a or not b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if short in long_:
        return True
    if len(short) < min_chars:
        return False
    return any(short[i : i + min_chars] in long_ for i in range(len(short) - min_chars + 1))


def overlaps_any(text: str, evidence: tuple[str, ...] | list[str]) -> bool:
    """True when `text` overlaps at least one of the evidence strings."""
    return any(overlaps(text, e) for e in evidence)


def contains_answer(answer: str, expected: str) -> bool:
    """Case- and diacritic-insensitive containment of one expected answer string."""
    needle = fold_answer(expected)
    return bool(needle) and needle in fold_answer(answer)
