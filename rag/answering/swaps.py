"""A sentence that says the question's words about another name: a near miss to decline.

"How many people lived in Poland in 1939?" against "In 1939, c. 1,300,000 people lived in
Warsaw": the question puts a name where the sentence has another one, with the same words on
one side of it ("people lived in ___"). A sentence that answers has the answer where the
question has its question word; it keeps the question's names. So a name of the question the
sentence lacks, in a slot where the sentence has another name, marks a sentence about
something else, however many words the two share.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from rag.countries import countries
from rag.lexicon import english
from rag.normalize import STOPWORDS, fold, terms, transliteration_key

_TOKEN = re.compile(r"[\w’'-]+")
_POSSESSIVE = re.compile(r"[’']s?$")
MIN_NAME_CHARS = 2
STEM_SLACK = 2  # "Latvia"/"Latvian": names equal but for their last letters are one
MIN_TYPO_CHARS = 5  # names this long one typo apart are one ("Goverment"/"Government")
SLOT_CONTEXT = 2  # words on one side of the name that must match, at least one not a stop word


def _stem(token: str) -> str:
    found = terms(_POSSESSIVE.sub("", token))
    return found[0] if found else token.casefold()


def _is_name(token: str, first: bool) -> bool:
    if len(_POSSESSIVE.sub("", token)) < MIN_NAME_CHARS:
        return False  # "U.S." splits into letters
    if token in english().plain_capitals:
        return False  # "Who", "The": capitalised at a sentence's start, not names
    return token[:1].isdigit() or (token[:1].isupper() and not first)


def same_name(asked: str, said: str) -> bool:
    """Whether two names are one: "Rau"/"Rau", "Latvia's"/"Latvian", "Belarus'"/"Belarusian"."""
    a, b = (fold(_POSSESSIVE.sub("", t)) for t in (asked, said))
    if a == b:
        return True
    if countries(a) and countries(a) == countries(b):
        return True
    # The rest by transliteration key: "Volfovich" is "Valfovič" one vowel apart.
    a, b = transliteration_key(a), transliteration_key(b)
    stem = min(len(a), len(b)) - STEM_SLACK
    if stem >= MIN_NAME_CHARS and a[:stem] == b[:stem]:
        return True
    return min(len(a), len(b)) >= MIN_TYPO_CHARS and Levenshtein.distance(a, b) <= 1  # "Goverment"


def swapped_names(question: str, sentence: str) -> list[tuple[str, str]]:
    """(the question's name, the sentence's name in its slot) pairs, see the module."""
    q_tokens = _TOKEN.findall(question)
    s_tokens = _TOKEN.findall(sentence)
    q_stems = [_stem(t) for t in q_tokens]
    s_stems = [_stem(t) for t in s_tokens]
    q_known, s_known = set(q_stems), set(s_stems)
    slots: dict[tuple[str, tuple[str, ...]], str] = {}  # (side, context) -> sentence name
    for j, token in enumerate(s_tokens):
        if _is_name(token, j == 0) and s_stems[j] not in q_known:
            for side, context in _contexts(s_stems, j):
                slots.setdefault((side, context), token)
    pairs = []
    for i, token in enumerate(q_tokens):
        if not _is_name(token, i == 0) or q_stems[i] in s_known:
            continue
        for side, context in _contexts(q_stems, i):
            other = slots.get((side, context))
            if other and not same_name(token, other):
                pairs.append((token, other))
                break
    return pairs


def _contexts(stems: list[str], at: int) -> list[tuple[str, tuple[str, ...]]]:
    """The SLOT_CONTEXT words before and after position `at`, where they hold a content
    word (the stems, so "began" matches "begin")."""
    out = []
    before = tuple(stems[max(0, at - SLOT_CONTEXT) : at])
    after = tuple(stems[at + 1 : at + 1 + SLOT_CONTEXT])
    for side, context in (("before", before), ("after", after)):
        if len(context) == SLOT_CONTEXT and any(w not in STOPWORDS for w in context):
            out.append((side, context))
    return out
