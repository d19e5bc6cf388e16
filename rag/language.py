"""Which language a question is in: en, ru, be, uk or pl.

A rule over scripts, characteristic letters and frequent words (data in rag/lexicon/), not a
statistical model: the questions are short (often two or three words), carry names that belong to
no language (Lukashenko, Kuźnica), and Russian is often typed in Latin letters ("kto zakryl
granicu"), which the offline libraries read as Polish, Czech or Slovak — as is Belarusian in its
Latin alphabet, Łacinka ("kolki mihrantaŭ…"). The rule needs no model
file and answers in microseconds.

Each word casts one vote, split between the languages its evidence points to (a frequent word of
that language, a letter only some languages use, a letter pair or an ending). Words without
evidence (names, rare words) do not vote. The language with the most votes wins; a tie goes to
English, then Russian, Ukrainian, Polish, Belarusian (roughly how many users write each).
No votes at all: Russian for Cyrillic text, English otherwise.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "ru", "be", "uk", "pl")
# Tie order: the languages most users write first.
_TIE_ORDER = ("en", "ru", "uk", "pl", "be")
CYRILLIC_LANGUAGES = frozenset({"ru", "be", "uk"})
# "ru", "uk", "be" here: typed in Latin letters
LATIN_LANGUAGES = frozenset({"en", "pl", "ru", "uk", "be"})

LEXICON_DIR = Path(__file__).with_name("lexicon")
# A word: letters, possibly joined by an apostrophe (Belarusian and Ukrainian use one: інтэрв'ю).
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_ENGLISH_S = re.compile(r"['’]s$")


@dataclass(frozen=True)
class Lexicon:
    """Frequent words per script and the letters, pairs and endings that point to languages."""

    cyrillic_words: dict[str, frozenset[str]]
    latin_words: dict[str, frozenset[str]]
    letters: dict[str, frozenset[str]]
    pairs: dict[str, frozenset[str]]
    endings: dict[str, frozenset[str]]


def _read_words(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")]


def _index(lists: dict[str, list[str]]) -> dict[str, frozenset[str]]:
    """word -> the languages whose list holds it."""
    index: dict[str, set[str]] = {}
    for lang, words in lists.items():
        for word in words:
            index.setdefault(word, set()).add(lang)
    return {word: frozenset(langs) for word, langs in index.items()}


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The word lists and letter tables from rag/lexicon/, read once."""
    marks = json.loads((LEXICON_DIR / "letters.json").read_text(encoding="utf-8"))

    def table(name: str) -> dict[str, frozenset[str]]:
        return {key: frozenset(langs) for key, langs in marks[name].items()}

    cyrillic = {
        lang: _read_words(LEXICON_DIR / lang / "frequent.txt") for lang in ("ru", "be", "uk")
    }
    latin = {
        "en": _read_words(LEXICON_DIR / "en" / "frequent.txt"),
        "pl": _read_words(LEXICON_DIR / "pl" / "frequent.txt"),
        "ru": _read_words(LEXICON_DIR / "ru" / "frequent-latin.txt"),
        "be": _read_words(LEXICON_DIR / "be" / "frequent-latin.txt"),
        "uk": _read_words(LEXICON_DIR / "uk" / "frequent-latin.txt"),
    }
    return Lexicon(
        cyrillic_words=_index(cyrillic),
        latin_words=_index(latin),
        letters=table("letters"),
        pairs=table("pairs"),
        endings=table("endings"),
    )


def _is_cyrillic(word: str) -> bool:
    return any("CYRILLIC" in unicodedata.name(ch, "") for ch in word)


def _word_vote(word: str, lex: Lexicon) -> dict[str, float]:
    """One word's vote, split over the languages its evidence points to; empty without evidence."""
    evidence: Counter[str] = Counter()
    if _is_cyrillic(word):
        possible, words = CYRILLIC_LANGUAGES, lex.cyrillic_words
    else:
        possible, words = LATIN_LANGUAGES, lex.latin_words
        if _ENGLISH_S.search(word):  # "who's", "poland’s": English, whatever the apostrophe
            evidence["en"] += 1
            word = _ENGLISH_S.sub("", word)
        evidence.update(lang for pair, langs in lex.pairs.items() if pair in word for lang in langs)
        evidence.update(
            lang for end, langs in lex.endings.items() if word.endswith(end) for lang in langs
        )
    evidence.update(words.get(word, ()))
    evidence.update(lang for ch in set(word) for lang in lex.letters.get(ch, ()))
    total = sum(n for lang, n in evidence.items() if lang in possible)
    return {lang: n / total for lang, n in evidence.items() if lang in possible} if total else {}


def detect_language(text: str) -> str:
    """The language of `text`: "en", "ru", "be", "uk" or "pl"; "en" when unsure."""
    lex = lexicon()
    votes: Counter[str] = Counter()
    cyrillic_words = latin_words = 0
    for word in _WORD.findall(unicodedata.normalize("NFC", text).casefold()):
        if _is_cyrillic(word):
            cyrillic_words += 1
        else:
            latin_words += 1
        for lang, share in _word_vote(word, lex).items():
            votes[lang] += share
    if not votes:
        return "ru" if cyrillic_words > latin_words else "en"
    return max(_TIE_ORDER, key=lambda lang: (round(votes[lang], 6), -_TIE_ORDER.index(lang)))
