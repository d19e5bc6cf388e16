"""Text normalisation and matching shared by every metric (no language model involved)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Two texts "overlap" when they share a run of at least this many characters (after
# normalisation) or one contains the other: independent of where chunks were cut.
MIN_OVERLAP_CHARS = 30

_WHITESPACE = re.compile(r"\s+")

# Letters NFKD does not decompose into base + combining mark, and typographic punctuation
# a person typing an answer string would write plainly. Applied after casefold.
_FOLD_TABLE = str.maketrans(
    {
        "\u0142": "l",  # ł (Ł casefolds to it)
        "\u0111": "d",  # đ
        "\u00f8": "o",  # ø
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2013": "-",
        "\u2014": "-",
    }
)


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """NFKC, casefold, whitespace runs collapsed to one space: how passages meet evidence."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """For answer strings: `normalize`, then diacritics dropped (Kuźnica -> kuznica, ł -> l)."""
    folded = normalize(text).translate(_FOLD_TABLE)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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
    needle = fold(expected)
    return bool(needle) and needle in fold(answer)
