"""What a pronoun or an elliptic follow-up stands for, by substitution (English).

- "what does he expect the EU to do?" after "where does Pavel Feldman work?" becomes "what does
  Pavel Feldman expect the EU to do?": a person pronoun takes the last person named (by the
  previous question, else by its answer).
- "and Lithuania's?" after "Who heads Latvia's border service?" becomes "Who heads Lithuania's
  border service?": a country replaces the previous question's other country, so the near-miss
  rule can decline Latvia's answer; "and Shapovalov?" after a question about Feldman (or
  "he") swaps the person.

Rules over capitalised words and the countries lexicon (rag/lexicon/en/countries.tsv); when
no rule applies the caller falls back to joining the follow-up to the previous question.
"""

from __future__ import annotations

import re

from rag.countries import border_places, countries
from rag.lexicon import english
from rag.normalize import STOPWORDS

# A run of capitalised words ("Foreign Minister Zbigniew Rau"): a name, or sentence furniture.
NAME = re.compile(r"\b[A-ZŁŚŻŹĆŃÓ][\w’'-]+(?:\s+[A-ZŁŚŻŹĆŃÓ][\w’'-]+)*")
_CAPS = r"[A-ZŁŚŻŹĆŃÓ][\w’'-]+(?:\s+[A-ZŁŚŻŹĆŃÓ][\w’'-]+)*"
# An organisation's name across "of"/"for" (and an "and" after them): "the Institute for
# Strategic Studies and Forecasts", "the Institute of History and Politics".
MIN_NAME_AFTER_ORGANISATION = 2  # words of a person's name right after an organisation's
_NAME_SPAN = re.compile(
    rf"\b{_CAPS}(?:\s+(?:of|for|on)\s+(?:the\s+)?{_CAPS}(?:\s+and\s+{_CAPS})?)*"
)
PERSON_PRONOUN = re.compile(r"\b(he|she|him|his|her|hers)\b", re.IGNORECASE)
_SUBJECT_PRONOUN = re.compile(r"\b(he|she)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"[’']s$")
_ELLIPTIC = re.compile(
    r"^(?:(?:and|but)\s+(?:what\s+about\s+|how\s+about\s+)?|what\s+about\s+|how\s+about\s+"
    r"|same\s+for\s+)(?:for\s+|about\s+|with\s+)?(?P<rest>.+?)$",
    re.IGNORECASE,
)
WH = re.compile(r"\b(who|whom|whose|what|when|where|why|which|how)\b", re.IGNORECASE)
_WORD = re.compile(r"[\w’'-]+")
MAX_ELLIPTIC_WORDS = 4
MAX_ACRONYM_CHARS = 5
_THE_BEFORE = re.compile(r"\bthe $", re.IGNORECASE)
_ASKS_NAME = re.compile(r"\bnames?\b", re.IGNORECASE)


def person_names(text: str) -> list[str]:
    """Capitalised names in `text` that are not sentence furniture, dates, countries or
    organisations, in order ("the November 2024 conference" names no one "he" could be)."""
    lexicon = english()
    plain = lexicon.plain_capitals | {*lexicon.months, *lexicon.weekdays}
    names = []
    # "the RUDN Institute for Strategic Studies and Forecasts" is one organisation's name,
    # across its "for" and "and": none of its words is a person.
    for span in _NAME_SPAN.finditer(text):
        words = span.group(0).split()
        organisation = [i for i, w in enumerate(words) if w in lexicon.organisation_words]
        if organisation:
            # "…of the Republic Mariusz Blaszczak": a person's two names after the
            # organisation's are kept
            tail = words[organisation[-1] + 1 :]
            kept = (
                " ".join(tail)
                if len(tail) >= MIN_NAME_AFTER_ORGANISATION and all(w[:1].isupper() for w in tail)
                else ""
            )
            blank = len(span.group(0)) - len(kept)
            text = text[: span.start()] + " " * blank + kept + text[span.end() :]
    for m in NAME.finditer(text):
        if _THE_BEFORE.search(text[: m.start()]):
            continue  # "writing in the Telegraph", "the Kuznitsa checkpoint": no one "she" is
        # "Sunday’s interview": the weekday is no name, whatever its possessive.
        name = " ".join(w for w in m.group(0).split() if _POSSESSIVE.sub("", w) not in plain)
        name = _POSSESSIVE.sub("", name)
        words = name.split()
        while len(words) > 1 and words[-1].isupper() and len(words[-1]) <= MAX_ACRONYM_CHARS:
            words.pop()  # "Bychkovskiy TASS quotes": the outlet is no surname
        name = " ".join(words)
        if name.isupper() and len(name) <= MAX_ACRONYM_CHARS:
            continue  # EU, NATO, RT: organisations, not people
        if set(name.split()) & lexicon.organisation_words:
            continue  # "the European Union" is no "she"
        if countries(name):
            name = _after_title(name)  # "British Foreign Secretary Liz Truss": Liz Truss
        if name and not countries(name) and name not in names:
            names.append(name)
    return names


def _after_title(name: str) -> str:
    """The person's own names after a title that names a country ("British Foreign
    Secretary Liz Truss" -> "Liz Truss"), or '' when no two names follow a title."""
    words = name.split()
    titles = [i for i, w in enumerate(words) if is_title_word(w)]
    tail = words[titles[-1] + 1 :] if titles else []
    return " ".join(tail) if len(tail) >= MIN_NAME_AFTER_ORGANISATION else ""


def has_person_pronoun(question: str) -> bool:
    """Whether `question` says he, she, his… without naming anyone it could mean."""
    return bool(PERSON_PRONOUN.search(question)) and not person_names(question)


def resolve_person(question: str, antecedents: list[str]) -> str:
    """`question` with its person pronouns replaced by the surname of the first of
    `antecedents` ("him" beside a "he" by the next one; '' when there is none to replace)."""
    if not antecedents or not has_person_pronoun(question):
        return ""
    # The surname: "he" after "Foreign Minister Zbigniew Rau" is "Rau", as the articles
    # mostly call him once named; the title and first name would be words to cover. Unless
    # the question asks for the name itself ("what is his full name?").
    names = antecedents if _ASKS_NAME.search(question) else [a.split()[-1] for a in antecedents]
    subject = names[0]
    # "does he think they'll have to negotiate with him": with a "he" there, "him" is
    # someone else, the next person named (a speaker does not negotiate with himself).
    other = next((n for n in names[1:] if n != subject), subject)
    has_subject = bool(_SUBJECT_PRONOUN.search(question))

    def replace(match: re.Match[str]) -> str:
        pronoun = match.group(0).lower()
        if pronoun in ("his", "hers"):
            return f"{subject}'s"
        return other if has_subject and pronoun == "him" else subject

    return PERSON_PRONOUN.sub(replace, question)


def elliptic_target(question: str) -> str:
    """What an elliptic follow-up asks about instead ("and Lithuania's?" -> "Lithuania's"),
    or '' when `question` is not one."""
    match = _ELLIPTIC.match(question.strip().rstrip("?").strip())
    if not match:
        return ""
    rest = match.group("rest").strip()
    if WH.search(rest) or len(_WORD.findall(rest)) > MAX_ELLIPTIC_WORDS:
        return ""
    return rest


def swap_country(topic: str, target: str) -> str:
    """`topic` with its country replaced by the one `target` names ('' when either names
    none, or they name the same)."""
    wanted, had = countries(target), countries(topic)
    if len(had) > 1:
        # "how many soldiers did Poland have on the Belarus border": Belarus names the place,
        # Poland the actor "and Lithuania?" asks about.
        had = had - border_places(topic)
    # With two countries in the topic ("from Belarus into Lithuania") which one "and
    # Latvia?" replaces is a guess: leave it to the joined query.
    if len(wanted) != 1 or len(had) != 1 or wanted & had:
        return ""
    new = next((w for w in _WORD.findall(target) if countries(w)), "")
    if not new:
        return ""
    new = _POSSESSIVE.sub("", new)

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if not countries(token) & had:  # not a country, or the place ("the Belarus border")
            return token
        return f"{new}'s" if _POSSESSIVE.search(token) else new

    swapped = _WORD.sub(replace, topic)
    return swapped if swapped != topic else ""


def swap_person(topic: str, target: str) -> str:
    """`topic` about the person `target` names instead of its own ('' when `target` is no
    name, or `topic` has no person to replace)."""
    names = person_names(target)
    if len(names) != 1 or countries(target):
        return ""
    name = names[0]
    pronoun_swap = resolve_person(topic, [name])
    if pronoun_swap:
        return pronoun_swap
    had = [n for n in person_names(topic) if n.lower() != name.lower()]
    if not had:
        return ""
    return topic.replace(had[0], name, 1)


MAX_OFFICE_WORDS = 3  # "foreign minister", "state border guard chief": words before the title


def is_title_word(word: str) -> bool:
    """Whether `word` is an office or title (rag/lexicon/en/title_words.txt), singular or
    plural: "minister", "Secretaries"."""
    return word.casefold().removesuffix("s") in english().title_words


def _office(text: str) -> tuple[int, int] | None:
    """Where the first office `text` names stands: a title word (rag/lexicon/en/
    title_words.txt) with up to MAX_OFFICE_WORDS lower-case content words before it ("state
    secretary", "interior minister"; not "the", not "Polish")."""
    tokens = list(_WORD.finditer(text))
    for i, token in enumerate(tokens):
        if not is_title_word(token.group(0)):
            continue
        first = i
        while (
            first > 0
            and i - first < MAX_OFFICE_WORDS
            and tokens[first - 1].group(0).islower()
            and tokens[first - 1].group(0) not in STOPWORDS
        ):
            first -= 1
        return tokens[first].start(), token.end()
    return None


def swap_office(topic: str, target: str) -> str:
    """`topic` asked of the office `target` names instead of its own ("and the foreign
    minister?" after "Who is the state secretary of Belarus' Security Council…?"), or ''
    when either names no office, or the same."""
    wanted, had = _office(target), _office(topic)
    if wanted is None or had is None:
        return ""
    new, old = target[wanted[0] : wanted[1]], topic[had[0] : had[1]]
    if new.casefold() == old.casefold():
        return ""
    return topic[: had[0]] + new + topic[had[1] :]


# "they", "them", "those": what the previous question counted or talked about in the plural.
_PLURAL_PRONOUN = re.compile(r"\b(they|them|those)\b", re.IGNORECASE)
# A plural noun after a determiner or a count, with at most one word between: "the
# migrants", "how many illegal crossings", "2,000 refugees" (not "blames", "crisis").
_BEFORE_PLURAL = frozenset(["the", "these", "those", "many", "some", "all", "of"])
_PLURAL = re.compile(r"^[a-z]+[^\Wsiu]s$")


def plural_phrase(text: str) -> str:
    """The first plural noun phrase of `text` a "they" could mean ("migrants", "illegal
    crossings"), or ''."""
    tokens = [t.casefold() for t in _WORD.findall(text)]

    def plural(word: str) -> bool:
        return bool(_PLURAL.match(word)) and word not in STOPWORDS

    for i, token in enumerate(tokens[:-1]):
        if token not in _BEFORE_PLURAL and not token[:1].isdigit():
            continue
        if plural(tokens[i + 1]):
            return tokens[i + 1]
        if i + 2 < len(tokens) and tokens[i + 1] not in STOPWORDS and plural(tokens[i + 2]):
            return f"{tokens[i + 1]} {tokens[i + 2]}"
    return ""


def resolve_plural(question: str, topic: str) -> str:
    """`question` with "they"/"them"/"those" replaced by the plural noun phrase `topic` names
    ("how many of them did Belarus say were there" after "where were the migrants from" ->
    "how many of the migrants…"), or '' when there is none to replace."""
    if PERSON_PRONOUN.search(question) or not _PLURAL_PRONOUN.search(question):
        return ""
    phrase = plural_phrase(topic)
    if not phrase:
        return ""
    return _PLURAL_PRONOUN.sub(f"the {phrase}", question)


_PLACE_AFTER = re.compile(
    r"\b(?:via|through|thru|into|from|to|in|across|at|near|on|over|along)\s+(?:the\s+)?[\w’'-]+",
    re.IGNORECASE,
)
_COUNTRY_POSSESSIVE = re.compile(r"\b(?:their|its)\s+(?=[a-z])", re.IGNORECASE)


def resolve_country_possessive(question: str, previous_question: str) -> str:
    """`question` with "their"/"its" before a noun replaced by the one country the previous
    question was about ("who heads their border service" after "and Latvia, when did it
    declare an emergency?" -> "who heads Latvia's border service"), or '' when `question`
    names a country itself or the previous question names none or several."""
    if not _COUNTRY_POSSESSIVE.search(question) or countries(question):
        return ""
    # "and via Poland alone?": a route or place, not whose report or service "their" is
    previous_question = _PLACE_AFTER.sub(" ", previous_question)
    had = countries(previous_question)
    if len(had) > 1:
        had = had - border_places(previous_question)  # "…send to the Belarus border"
    if len(had) != 1:
        return ""
    name = next(
        (_POSSESSIVE.sub("", w) for w in _WORD.findall(previous_question) if countries(w) & had),
        "",
    )
    if not name:
        return ""
    return _COUNTRY_POSSESSIVE.sub(f"{name[:1].upper()}{name[1:]}'s ", question)
