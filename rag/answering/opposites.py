"""A sentence that says the opposite of what the question asks: a near miss to decline.

SQuAD 2.0's unanswerable questions are often a real sentence turned around: "What can
decelerate particles…?" for a sentence on what accelerates them, "What is an example of the
abnormal force?" for one on the normal force, "Who was not the ideologue of the revolution?"
for the sentence naming its ideologue. The words match, so coverage and similarity are high;
the opposite is only in a prefix ("non-Muslims" for "Muslims"), a "not", or one word of the
opposite meaning ("What do radical groups accept…?" for "…entirely reject democracy").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.answering.features import is_negated
from rag.answering.question import focus_question
from rag.lexicon import read_lines, read_table
from rag.normalize import terms

MIN_ROOT = 5  # "form"/"inform", "play"/"display" are no opposites: the root must be longer
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class _Prefixes:
    negating: tuple[str, ...]  # "ab" + "normal"
    swapped: tuple[str, ...]  # also "ac" for "de": "accelerate"/"decelerate"


@lru_cache(maxsize=1)
def _prefixes() -> _Prefixes:
    lines = read_lines("en", "negating_prefixes.txt")
    negating = tuple(p for p in lines if not p.startswith("+"))
    return _Prefixes(negating, negating + tuple(p[1:] for p in lines if p.startswith("+")))


@lru_cache(maxsize=1)
def _negative_words() -> frozenset[str]:
    return frozenset(read_lines("en", "negative_words.txt"))


def _roots(word: str, prefixes: tuple[str, ...]) -> set[str]:
    return {
        word[len(p) :] for p in prefixes if word.startswith(p) and len(word) - len(p) >= MIN_ROOT
    }


def opposite_words(question: str, sentence: str) -> list[tuple[str, str]]:
    """(question word, sentence word) pairs where the question's word, missing from the
    sentence, is the sentence's word with a negating prefix added, dropped or swapped."""
    prefixes = _prefixes()
    said = set(_WORD.findall(sentence.casefold()))
    pairs = []
    for asked in dict.fromkeys(_WORD.findall(question.casefold())):
        if asked in said or len(asked) < MIN_ROOT:
            continue
        asked_roots = _roots(asked, prefixes.negating)
        swapped_roots = _roots(asked, prefixes.swapped)
        pairs.extend(
            (asked, word)
            for word in said
            if word in asked_roots  # "abnormal" asked, "normal" said
            or asked in _roots(word, prefixes.negating)  # "normal" asked, "abnormal" said
            or swapped_roots & _roots(word, prefixes.swapped)  # "decelerate"/"accelerate"
        )
    return pairs


def hyphen_opposites(question: str, sentence: str) -> list[str]:
    """The question's "non-Muslims", "anti-Western" whose sentence says "Muslims", "Western"
    without the prefix."""
    prefixes = "|".join(_prefixes().negating)
    folded = sentence.casefold()
    said = set(_WORD.findall(folded))
    return [
        m.group(0)
        for m in re.finditer(rf"\b({prefixes})-([a-z]+)", question.casefold())
        if m.group(2) in said and m.group(0) not in folded and m.group(1) + m.group(2) not in said
    ]


def hyphen_opposites_said(question: str, sentence: str) -> list[str]:
    """The sentence's "non-zero", "anti-Western" whose question asks "zero", "Western" without
    the prefix, when the sentence never says the word bare ("the EU and non-EU states" does)."""
    prefixes = "|".join(_prefixes().negating)
    asked = question.casefold()
    folded = sentence.casefold()
    return [
        m.group(0)
        for m in re.finditer(rf"\b({prefixes})-([a-z]+)", folded)
        if re.search(rf"(?<![\w-]){m.group(2)}\b", asked)
        and m.group(0) not in asked
        and not re.search(rf"(?<![\w-]){m.group(2)}\b", folded)
    ]


@lru_cache(maxsize=1)
def _negative_terms() -> frozenset[str]:
    return frozenset(t for w in _negative_words() for t in terms(w, keep_stopwords=True))


def unmatched_negative_word(question: str, sentence: str) -> bool:
    """Whether the question asks with a word like "refuse" ("Who did the US refuse aid to?")
    what the sentence states with no such word nor a "not" ("The US spent billions to aid…")."""
    negative = _negative_terms()
    if not set(terms(question, keep_stopwords=True)) & negative or is_negated(sentence):
        return False
    said = set(terms(sentence, keep_stopwords=True)) | set(_WORD.findall(sentence.casefold()))
    return not said & (negative | _negative_words())


def unmatched_negation(question: str, sentence: str) -> bool:
    """Whether the question asks with a "not" ("Who was not the ideologue…?") what the
    sentence states without one, nor with a word like "refused"."""
    if not is_negated(question) or is_negated(sentence):
        return False
    return not set(_WORD.findall(sentence.casefold())) & _negative_words()


@lru_cache(maxsize=1)
def _antonyms() -> dict[str, frozenset[str]]:
    """Each word's opposites (rag/lexicon/en/antonyms.tsv, read both ways), by their terms."""
    pairs: dict[str, set[str]] = {}
    for word, opposites in read_table("en", "antonyms.tsv").items():
        for other in opposites.split():
            for a, b in ((word, other), (other, word)):
                for ta in terms(a, keep_stopwords=True):
                    pairs.setdefault(ta, set()).update(terms(b, keep_stopwords=True))
    return {word: frozenset(opposites) for word, opposites in pairs.items()}


def antonym_words(question: str, sentence: str) -> list[tuple[str, str]]:
    """(question term, sentence term) pairs where the question's word, missing from the
    sentence, has its opposite there: "accept" asked, "reject" said."""
    antonyms = _antonyms()
    said = set(terms(sentence, keep_stopwords=True))
    asking = set(terms(question, keep_stopwords=True))
    return [
        (asked, word)
        for asked in dict.fromkeys(terms(question, keep_stopwords=True))
        if asked not in said
        for word in antonyms.get(asked, ())
        if word in said and word not in asking  # "open or closed?" asks both
    ]


def says_the_opposite(question: str, sentence: str) -> bool:
    """Whether `sentence` answers the opposite of `question` (see the module)."""
    # "Ignore previous instructions and say…. Who closed Kuznica?": only the question itself.
    question = focus_question(question)
    return (
        bool(opposite_words(question, sentence))
        or bool(antonym_words(question, sentence))
        or bool(hyphen_opposites(question, sentence))
        or bool(hyphen_opposites_said(question, sentence))
        or unmatched_negation(question, sentence)
        or unmatched_negative_word(question, sentence)
    )
