"""Which countries a text names, by name, adjective, demonym or capital (rag/lexicon/en/
countries.tsv): for telling a near miss ("Lithuania's border guard" answered with Latvia's)
from an answer."""

from __future__ import annotations

import re
from functools import lru_cache

from rag.lexicon import english, read_lines, read_table
from rag.normalize import fold, words

_COMPOUND = re.compile(r"\w+(?:[-–]\w+)+")
# "the Belarus border", "the border with Belarus": the place of a border, not an actor.
# ("Lithuania's border guard" is Lithuania's: a possessive is an actor.)
_BORDER_PLACE = re.compile(
    r"\b([\w’'-]+)(?=[\s-]+border\b)|\bborder\s+(?:with|of)\s+(?:the\s+)?([\w’'-]+)",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"[’']s?$")
QUESTION_WORD_REACH = 3  # words from "which"/"what" to the country noun it governs


@lru_cache(maxsize=1)
def _asks_for_country() -> re.Pattern[str]:
    nouns = "|".join(map(re.escape, read_lines("en", "country_nouns.txt")))
    return re.compile(
        rf"\b(?:which|what)\s+(?:[\w’'-]+\s+){{0,{QUESTION_WORD_REACH - 1}}}(?:{nouns})\b",
        re.IGNORECASE,
    )


@lru_cache(maxsize=1)
def _forms() -> dict[str, str]:
    return read_table("en", "countries.tsv")


@lru_cache(maxsize=1)
def _acronyms() -> tuple[re.Pattern[str], dict[str, str]]:
    table = read_table("en", "country_acronyms.txt")
    body = "|".join(map(re.escape, sorted(table, key=len, reverse=True)))
    return re.compile(rf"(?<![\w.])(?:{body})(?!\w)"), table


@lru_cache(maxsize=16_384)
def countries(text: str) -> frozenset[str]:
    """The countries `text` names ('Polish' and 'Warsaw' both name Poland; 'U.S.' and 'US',
    as capitalised, the United States)."""
    forms = _forms()
    tokens = words(text)
    pattern, acronyms = _acronyms()
    found = {acronyms[m.group(0)] for m in pattern.finditer(text)}
    for i, token in enumerate(tokens):
        pair = f"{token} {tokens[i + 1]}" if i + 1 < len(tokens) else ""
        if pair in forms:
            found.add(forms[pair])
        elif token in forms:
            found.add(forms[token])
        elif token.endswith("s") and token[:-1] in forms:  # "lithuanias" as typed in a chat
            found.add(forms[token[:-1]])
    return frozenset(found)


def first_country(text: str) -> str:
    """The first country `text` names on its own, outside compounds ("the Polish-Belarusian
    border"), or ''."""
    for token in _COMPOUND.sub(" ", text).split():
        named = countries(token)
        if len(named) == 1:
            return next(iter(named))
    return ""


def border_places(text: str) -> frozenset[str]:
    """The countries `text` names as the place of a border ("how many troops did Poland send
    to the Belarus border": Belarus)."""
    places = [w for m in _BORDER_PLACE.findall(text) for w in m if w and not _POSSESSIVE.search(w)]
    return countries(" ".join(places))


@lru_cache(maxsize=1)
def _auxiliaries() -> frozenset[str]:
    return frozenset(read_lines("en", "auxiliaries.txt"))


def asks_for_country(question: str) -> bool:
    """Whether `question` asks which countries did something ("apart from the US, which
    countries joined…", "what nation…": `country_nouns.txt`)."""
    return bool(asked_country_noun(question))


def asked_country_noun(question: str) -> str:
    """The country noun `question` asks for ("countries" of "which countries joined…", "which
    four countries…"), or '': not one after a verb ("what did EU countries do…"), nor one
    naming something else ("which state secretary…")."""
    for match in _asks_for_country().finditer(question):
        between = match.group(0).casefold().split()[1:-1]
        rest = question[match.end() :].split()
        if any(w in _auxiliaries() for w in between):
            continue
        if rest and rest[0].casefold().strip("?,.'’") in english().title_words:
            continue
        return match.group(0).split()[-1].casefold()
    return ""


def swapped_country(question: str, sentence: str, passage: str) -> bool:
    """Whether `sentence` is about another country than the one `question` asks about: the
    question names a country its whole `passage` does not, and the sentence names one the
    question does not, other than in a compound ("the Belarus-Poland border" is a place, not
    what the sentence is about). A question asking which countries did something is
    answered by naming others."""
    if asks_for_country(question):
        return False
    asked = countries(question)
    # "troops Poland has at the Belarus border": a sentence on Poland's troops is no swap
    # for lacking Belarus, the border's place.
    asked = (asked - border_places(question)) or asked
    actors = countries(_COMPOUND.sub(" ", sentence))
    return bool(asked - countries(passage)) and bool(actors - asked)


# A country's adjective or demonym ("Belarusian", "Polish", "Poles") says whose, not who;
# its name ("Poland") or capital ("Warsaw") may well be who.
_ADJECTIVE_ENDING = re.compile(r"(?:ian|ish|ese|ic|an|i|e)s?$")


def of_a_country(text: str) -> bool:
    """Whether every word of `text` is a country's adjective or demonym ("Polish-Belarusian")."""
    parts = [p for p in re.split(r"[\s-]+", text) if p]
    return bool(parts) and all(
        countries(p) and fold(p) not in countries(p) and _ADJECTIVE_ENDING.search(fold(p))
        for p in parts
    )
