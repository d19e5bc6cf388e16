"""The short answer inside a quoted sentence: the name, number or date the question asks for.

"Who closed the Kuznica checkpoint?" is answered by a sentence that names Poland and Belarus;
the short answer is the name the question does not already hold that stands nearest to the
words it shares with the question. Only who / where / how many / when questions get one, and
only when one candidate is clearly nearest: a wrong short answer would be worse than none.
"""

from __future__ import annotations

import re

from rag.answering.dates import without_dates
from rag.answering.question import QType, QuestionInfo
from rag.coreference import NAME, is_title_word
from rag.countries import asked_country_noun, countries, of_a_country
from rag.lexicon import english
from rag.normalize import is_common_word, terms

_MONTHS = "|".join(english().months)
_SEASONS = "|".join(english().seasons)
_PATTERNS = {
    QType.NUMBER: re.compile(
        r"\b(?:about |around |some |nearly |almost |over |more than |at least |up to )?"
        r"\d[\d,.]*\d?(?:\s?(?:thousand|million|billion|hundred|per ?cent|%))?"
    ),
    QType.DATE: re.compile(
        rf"\b(?:\d{{1,2}} (?:{_MONTHS})(?: \d{{4}})?|(?:{_MONTHS})(?: \d{{1,2}})?(?:,? \d{{4}})?"
        rf"|(?:(?:early|late|mid-?) )?(?:{_SEASONS})(?: of)? (?:19|20)\d\d"  # spring 2021
        r"|(?:19|20)\d\d)\b"
    ),
    QType.PERSON: NAME,
}
_PATTERNS[QType.PLACE] = _PATTERNS[QType.PERSON]
# "from Syria, Iraq, and Afghanistan": "from", then names up to the one at hand.
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+)?(?:[A-Z][\w’'-]*(?:,?\s+(?:and\s+)?)?)*$")


def after_from(sentence: str, at: int) -> bool:
    """Whether the name starting at `at` in `sentence` is a place something comes from: it
    follows "from", alone or in a list of names ("from Syria, Iraq, and Afghanistan")."""
    return bool(_FROM_BEFORE.search(sentence[:at]))


_WORD = re.compile(r"[\w’'-]+")
# "Which country / countries / side / outlet…": a who-question asking for no person.
_ASKS_FOR_A_GROUP = re.compile(
    r"\b(?:which|what)\s+(?:[\w’'-]+\s+){0,2}?(?:country|countries|state|states|side|sides|"
    r"outlet|outlets|organi[sz]ations?|agenc(?:y|ies)|body|bodies)\b",
    re.IGNORECASE,
)


def _a_persons(name: str) -> bool:
    """Whether `name` reads as a person's: it ends on no country, acronym, organisation's or
    title word, and on an uncommon word unless it has several ("Ned Price", "the Republic
    Mariusz Blaszczak"; not "State Department", "Ukraine", "TV", "Defense")."""
    words = name.split()
    last = words[-1]
    return not (
        countries(last)
        or last.isupper()
        or last in english().organisation_words
        or is_title_word(last)
        or (len(words) == 1 and is_common_word(last))
    )


def _candidates(qtype: QType, sentence: str) -> list[tuple[str, int, int]]:
    """(text, start, end) of every name, number or date of the asked kind in `sentence`."""
    plain = english().plain_capitals
    dates = {*english().months, *english().weekdays}
    found = []
    # A count is never the day or year of a date ("November 8" answers when, not how many).
    text_of_kind = without_dates(sentence) if qtype == QType.NUMBER else sentence
    for m in _PATTERNS[qtype].finditer(text_of_kind):
        text, start = m.group(0), m.start()
        if qtype in (QType.PERSON, QType.PLACE):
            words = text.split()
            while words and words[0] in plain:  # "According to Lavrov": the name is Lavrov
                start += len(words[0]) + 1
                words = words[1:]
            while len(words) > 1 and (
                (words[0].isupper() and len(words[0]) <= 4)
                or countries(words[0])
                or words[0] in english().organisation_words
            ):
                # "the UN Valentin Rybakov", "…committee of Belarus Anton Bychkovsky", "…of
                # the Republic Mariusz Blaszczak": the name is the person's
                start += len(words[0]) + 1
                words = words[1:]
            if qtype == QType.PERSON and all(is_title_word(w) for w in words):
                continue  # "the Permanent Representative of Belarus": an office, no one's name
            text = " ".join(words)
            if dates & set(words):  # "November", "on Tuesday": a date is not who or where
                continue
        if text:
            found.append((text.strip(" ,."), start, start + len(text)))
    return found


def short_answer(
    info: QuestionInfo,
    sentence: str,
    question_terms: set[str],
    typed_terms: set[str] | None = None,
    outlet: str = "",
) -> str | None:
    """The short answer to `info` in `sentence`, or None when there is none to be sure of.

    `question_terms` are the question's index terms with their accepted spellings: a name the
    question itself gives ("Who closed *Kuznica*?") is never the answer. `typed_terms`, for a
    follow-up searched with the previous question's words, are those the user typed this
    time: "and via poland alone?" asks for the figure beside "via Poland alone", not the one
    beside the previous question's words. `outlet` is the quoted passage's outlet, which is
    never the answer.
    """
    if info.qtype not in _PATTERNS:
        return None
    candidates = [
        c
        for c in _candidates(info.qtype, sentence)
        if not set(terms(c[0])) <= question_terms
        # "who did borrell speak with?": not Josep Borrell, whom it names by his surname
        and not (info.qtype == QType.PERSON and set(terms(c[0].split()[-1])) <= question_terms)
        # a headline's dateline ("…illegal migration November 15, Pozirk"): the outlet
        # reporting it, not who did it
        and c[0].casefold() != outlet.casefold()
    ]
    if info.qtype == QType.PERSON and asked_country_noun(info.text) == "country":
        # "which country is Pujats from?": the country "the Latvian border service" names,
        # not the person beside it (nor one the question names itself)
        named = countries(info.text)
        candidates = [
            (next(iter(countries(c[0]))).title(), c[1], c[2])
            for c in candidates
            if len(countries(c[0])) == 1 and not countries(c[0]) & named
        ]
    elif info.qtype == QType.PERSON:
        candidates = [c for c in candidates if not of_a_country(c[0])]
        if not _ASKS_FOR_A_GROUP.search(info.text):
            # "Which US official said…": Ned Price, not the State Department beside him;
            # "who closed Kuznitsa?" keeps Poland, the sentence naming no person.
            people = [c for c in candidates if _a_persons(c[0])]
            candidates = people or candidates
    if not candidates:
        return None
    if info.asks_origin:
        # "where are the migrants from?": the places after "from" ("from Syria, Iraq, and
        # Afghanistan"), all of them, not "Russia" that the sentence also names
        origins = [c[0] for c in candidates if after_from(sentence, c[1])]
        if origins:
            return ", ".join(dict.fromkeys(origins))
    if len({c[0] for c in candidates}) == 1:
        return candidates[0][0]
    if info.wants_list:
        return None  # "which countries joined…": all of them, which the sentence lists

    # Several: the one nearest the words the sentence shares with the question.
    def anchored_on(wanted: set[str]) -> list[int]:
        return [m.start() for m in _WORD.finditer(sentence) if set(terms(m.group(0))) & wanted]

    own = typed_terms & question_terms if typed_terms else question_terms
    anchors = []
    if info.qtype == QType.NUMBER:
        # "…28,668 attempts via Poland, 5,200 via Latvia and 914 via Lithuania": the figure
        # beside the country asked, not the one beside "2024" at the sentence's start.
        country_terms = {t for w in _WORD.findall(info.text) if countries(w) for t in terms(w)}
        anchors = anchored_on(country_terms & own)
    anchors = anchors or (anchored_on(own) if typed_terms else [])
    anchors = anchors or anchored_on(question_terms)
    if not anchors:
        return None

    def distance(c: tuple[str, int, int]) -> int:
        # A shared word inside the candidate ("Prime *Minister* Morawiecki" for "who is the
        # defence minister?") does not make it the answer: the name beside the words does.
        outside = [a for a in anchors if not c[1] <= a < c[2]]
        if not outside:
            return len(sentence)
        return min(min(abs(a - c[1]), abs(a - c[2])) for a in outside)

    ranked = sorted(candidates, key=distance)
    if distance(ranked[0]) * 2 >= distance(ranked[1]):
        return None  # no clear winner
    return ranked[0][0]
