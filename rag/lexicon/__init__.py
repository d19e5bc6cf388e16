"""Word lists as data: package files under rag/lexicon/<language>/, read once.

Code asks for a list by meaning (`english().plain_capitals`); the words live in text files
a linguist can edit without reading Python. Changing a file that feeds the BM25 index's
terms must bump rag.normalize.TERMS_VERSION.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz.distance import OSA
from wordfreq import zipf_frequency


def read_lines(language: str, name: str) -> list[str]:
    """Non-empty, non-comment lines of `rag/lexicon/<language>/<name>`."""
    text = resources.files(__name__).joinpath(language, name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def read_json(name: str) -> dict:
    """The JSON file `rag/lexicon/<name>` (the word lists shared by every language)."""
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


def read_table(language: str, name: str) -> dict[str, str]:
    """A two-column tab-separated file as a mapping (first column -> second)."""
    table = {}
    for line in read_lines(language, name):
        key, _, value = line.partition("\t")
        table[key.strip()] = value.strip()
    return table


@dataclass(frozen=True)
class English:
    plain_capitals: frozenset[str]  # capitalised words that are not names ("The", "However")
    chat_words: dict[str, str]  # "wat" -> "what"
    months: tuple[str, ...]  # "January" … "December"
    weekdays: tuple[str, ...]  # "Monday" … "Sunday"
    seasons: tuple[str, ...]  # "spring" … "winter"
    abbreviations: frozenset[str]  # "mr", "u.s": a full stop after them ends no sentence
    organisation_words: frozenset[str]  # "Union", "Council": a name with one is no person
    title_words: frozenset[str]  # "minister", "president": an office before a name, no name
    question_words: tuple[str, ...]  # "how", "many": words that decide the kind of answer


@lru_cache(maxsize=1)
def english() -> English:
    """The English word lists."""
    return English(
        plain_capitals=frozenset(read_lines("en", "plain_capitals.txt")),
        chat_words=read_table("en", "chat_words.tsv"),
        months=tuple(read_lines("en", "months.txt")),
        weekdays=tuple(read_lines("en", "weekdays.txt")),
        seasons=tuple(read_lines("en", "seasons.txt")),
        abbreviations=frozenset(read_lines("en", "abbreviations.txt")),
        organisation_words=frozenset(read_lines("en", "organisation_words.txt")),
        title_words=frozenset(read_lines("en", "title_words.txt")),
        question_words=tuple(read_lines("en", "question_words.txt")),
    )


_WORD = re.compile(r"[A-Za-z0-9]+")


# A word at least this common in English (Zipf scale) is a word of its own, not a typo of a
# question word: "hoe", "dose" and "wen" stay ("wen" is a chat spelling in chat_words.tsv).
MAX_TYPO_ZIPF = 3.0
MIN_TYPO_CHARS = 3


def question_word_typo(word: str) -> str:
    """The question word (rag/lexicon/en/question_words.txt) `word` is one typo away from
    ("meny" -> "many", "whihc" -> "which"), or '' when it is none, several ("hwo": how or
    who?) or a real English word."""
    if len(word) < MIN_TYPO_CHARS or not word.isalpha() or word in english().question_words:
        return ""
    if zipf_frequency(word, "en") >= MAX_TYPO_ZIPF:
        return ""
    close = [w for w in english().question_words if OSA.distance(word, w) == 1]
    return close[0] if len(close) == 1 else ""


def expand_chat_words(text: str) -> str:
    """'wat did poland say abt it' -> 'what did poland say about it', 'how meny' -> 'how
    many'. Only lower-case whole words are replaced: "U.S." or a capitalised "W" stay as
    typed."""
    table = english().chat_words

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        if not (word.islower() or word.isdigit()):
            return word
        return table.get(word) or question_word_typo(word) or word

    return _WORD.sub(replace, text)
