"""Names and numbers a question gives that the passage chosen to answer it never mentions.

"How many troops did Lithuania send?" answered from a passage about Poland's troops, "What
did the 1950 census count?" from a paragraph about the 1960 one: the question's words are
mostly there, its name or number is not. Such a passage answers another question (a near
miss, declined), even though the name is elsewhere in the articles — the case rag.answering.
extractive's unknown-names check does not cover.

What counts as mentioned, so that right answers are not declined:
- months and weekdays are never checked (the month rule orders by them; "since January" is
  often written "since the start of the year");
- the passage, the passage before it (where a quote's speaker is often named), its article's
  lead passage (whom and what the article is about), title, outlet ("according to TASS") and
  publication month and year ("in November 2021");
- any word of a multi-word name ("Sergei Aleinik" where the passage says "Aleinik"), except
  that the words of an organisation's, a place's or an event's name must stand together when
  all are there ("the Red Army Uprising" is not "the Red Army … the Warsaw Uprising");
- any spelling the index knows for it (Alejnik/Aleinik: the question view's alternatives);
- a country by any of its forms ("Polish" where the passage says "Poland"), a name by a word
  with another ending ("West": "Western"; "Aristotle": "Aristotelian"), a number by one it
  begins ("33" typed as "33.2k", written "33.2 thousand");
- an acronym by its words' initials ("EU" where the passage says "European Union");
- a person the article named earlier, when the chosen sentence calls someone by an office
  with no name ("The Belarusian ruler claimed…", Łukašenka named four passages before).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import lru_cache

from rag.answering.features import QuestionView
from rag.countries import countries
from rag.lexicon import english, read_lines
from rag.normalize import terms

_TOKEN = re.compile(r"[\w’'-]+")
_NUMBER = re.compile(r"\d[\d,.]*")
_ORDINAL_SUFFIX = re.compile(r"(?<=\d)(?:st|nd|rd|th)$", re.IGNORECASE)
_CALENDAR = frozenset(w.casefold() for w in (*english().months, *english().weekdays))
# A name of at least MIN_STEM letters also counts as mentioned by a word that begins with all
# but its last STEM_SLACK letters.
MIN_STEM = 4
OFFICE_WINDOW = 2  # "Lukashenko's presidential administration": the office word this close
STEM_SLACK = 2
_INITIALS = re.compile(r"\b[A-Z][\w-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w-]*)+")


@lru_cache(maxsize=1)
def _office_words() -> frozenset[str]:
    return frozenset(read_lines("en", "office_words.txt"))


@lru_cache(maxsize=1)
def _institution_words() -> frozenset[str]:
    """Words that make a name an organisation's, a place's or an event's, not a person's."""
    return english().organisation_words | frozenset(read_lines("en", "place_words.txt"))


def _name_groups(question: str, names: Sequence[str]) -> list[list[str]]:
    """The question's names in runs of adjacent words ("Sergei Aleinik" is one name)."""
    wanted = set(names)
    groups: list[list[str]] = []
    previous_was_name = False
    tokens = _TOKEN.findall(question)
    for at, token in enumerate(tokens):
        name = re.sub(r"[’']s?$", "", token)
        following = {t.casefold() for t in tokens[at + 1 : at + 1 + OFFICE_WINDOW]}
        if name != token and not countries(name) and following & _office_words():
            # "Lukashenko's presidential administration": the name says whose office is
            # meant, which an answer about the office need not repeat. (A country's stays:
            # "Lithuania's border guard" is another country's than Latvia's.)
            previous_was_name = False
            continue
        if name in wanted:
            if previous_was_name:
                groups[-1].append(name)
            else:
                groups.append([name])
            previous_was_name = True
        else:
            previous_was_name = False
    return groups


def _shares_stem(name: str, context_words: set[str]) -> bool:
    """Whether a word of the context is `name` with another ending ("West" -> "Western",
    "Aristotle" -> "Aristotelian"): they share all but the last STEM_SLACK letters of it."""
    folded = name.casefold()
    stem = folded[: max(MIN_STEM, len(folded) - STEM_SLACK)]
    return len(folded) >= MIN_STEM and any(w.startswith(stem) for w in context_words)


def _acronyms(text: str) -> set[str]:
    """Initials of the capitalised word runs of `text` ("European Union" -> "EU")."""
    found = set()
    for run in _INITIALS.findall(text):
        words = [w for w in run.split() if w[0].isupper()]
        found.add("".join(w[0] for w in words))
    return found


def _is_strict(name: str) -> bool:
    """A number or compound ("Seven-Day") must be mentioned itself, whatever its name's other
    words."""
    return name[0].isdigit() or "-" in name.strip("-")


class _Context:
    """What the chosen passage (with its title, outlet, date…) mentions, asked name by name."""

    def __init__(self, text: str) -> None:
        self.text = text
        sequence = terms(text)
        self.terms = set(sequence)
        self.pairs = set(itertools.pairwise(sequence))
        self.words = {w.casefold() for w in _TOKEN.findall(text)}
        self.numbers = {n.replace(",", "") for n in _NUMBER.findall(text)}
        self.countries = countries(text)
        self._acronyms: set[str] | None = None

    def mentions(self, name: str, spellings: set[str]) -> bool:
        """Whether `name` (with the index's `spellings` of it) is mentioned."""
        if "-" in name.strip("-"):  # "Seven-Day War" is not the "Six-Day War": every part
            parts = [p for p in name.split("-") if p]
            return all(self.mentions(p, set(terms(p))) for p in parts)
        if name[0].isdigit():  # "33.2k" typed, "33.2 thousand" written; "21st", "21"
            number = _ORDINAL_SUFFIX.sub("", name.replace(",", ""))
            return any(n.startswith(number) for n in self.numbers)
        named_countries = countries(name)
        if named_countries:  # Austria is not Australia, whatever their letters share
            return named_countries <= self.countries
        if (spellings or set(terms(name))) & self.terms or _shares_stem(name, self.words):
            return True
        if name.isupper() and 2 <= len(name) <= 5:
            if self._acronyms is None:
                self._acronyms = _acronyms(self.text)
            return name in self._acronyms
        return False


def unmentioned(
    names: Sequence[str], context: str, q: QuestionView | None = None
) -> tuple[str, ...]:
    """Those of `names` (single words, as the articles spell them) that `context` never
    mentions, by any of the ways `_Context.mentions` accepts (with the spellings `q`'s index
    knows for each: Lukashenko/Łukašenka)."""
    known = _Context(context)
    absent = []
    for name in names:
        spellings = {s for t in terms(name) for s in (q.alternatives if q else {}).get(t, {t})}
        if not known.mentions(name, spellings):
            absent.append(name)
    return tuple(absent)


def absent_names(
    question: str, q: QuestionView, context: str, earlier_in_article: str = ""
) -> tuple[str, ...]:
    """The names and numbers of `question` (`q.entities`, and countries however typed) that
    `context` — the chosen passage with what else counts as mentioned (see the module) —
    never mentions. A person's name also counts as mentioned by `earlier_in_article`, the
    article before the passage, given when the chosen sentence names someone by office alone."""
    # Countries count however they are typed: "how many troops did lithuania send".
    typed_countries = [w for w in _TOKEN.findall(question) if countries(w)]
    names = [*q.entities, *typed_countries]
    if not names:
        return ()
    known = _Context(context)
    before = _Context(earlier_in_article) if earlier_in_article else None
    absent = []
    for group in _name_groups(question, names):
        if all(name.casefold() in _CALENDAR for name in group):
            continue  # "since January": dates are the month rule's (and often paraphrased)
        found = [known.mentions(name, q.entities.get(name, set())) for name in group]
        # One word of a name will do ("Sergei Aleinik": "Aleinik"), but not with a number
        # or compound of it missing ("the Seven-Day War" is not the "Six-Day War").
        strict = [f for name, f in zip(group, found, strict=True) if _is_strict(name)]
        if not any(found) and before is not None and _is_person(group):
            found = [before.mentions(name, q.entities.get(name, set())) for name in group]
        if not any(found) or not all(strict) or (all(found) and _recombined(group, q, known)):
            absent.append(" ".join(group))
    return tuple(absent)


def _is_person(group: list[str]) -> bool:
    """Whether a name's words could be a person's: no country, number, compound, title or
    word of an organisation's, a place's or an event's name."""
    return not any(
        countries(name)
        or _is_strict(name)
        or name.casefold() in english().title_words
        or name in _institution_words()
        for name in group
    )


def _recombined(group: list[str], q: QuestionView, known: _Context) -> bool:
    """Whether two words that stand together in the question's name of an organisation, a
    place or an event never do in the context, though each is there: "the Red Army Uprising"
    against "the Red Army was nearing the city, the Warsaw Uprising began", "the Miasta City
    Council" against "Warsaw City Council (Rada Miasta)". Titles and countries are left out
    ("the Polish State Border Committee"): they stand in other orders."""

    def plain(name: str) -> bool:
        return (
            name.casefold() not in english().title_words
            and not countries(name)
            and not name[0].isdigit()
            and bool(terms(name))
        )

    if not set(group) & _institution_words():
        return False  # a person: "James Maxwell" is "James Clerk Maxwell", "Sergei" "Siarhiej"
    for first, second in itertools.pairwise(group):
        if not (plain(first) and plain(second)):
            continue
        firsts = q.entities.get(first) or set(terms(first))
        seconds = q.entities.get(second) or set(terms(second))
        if not any((a, b) in known.pairs for a in firsts for b in seconds):
            return True
    return False
