"""Who holds an office: "who was Poland's foreign minister in June 2024?".

A sentence names an office's holder when the office stands right before a name ("Polish
Foreign Minister Radosław Sikorski") or after it, set off by a comma ("Vladimir Makei,
Belarus’ foreign minister,"). The office's country is the country word before the office
("Polish", "Belarus’"); an office without one ("Foreign Minister Siarhiej Alejnik") is of the
first country the sentence, else its passage, names ("Belarus is willing to discuss…").

A question asking only that (its other words are dates, outlets and the words of
rag/lexicon/en/office_question_words.txt) is answered by the best-ranked sentence naming a
holder of the office asked, of the country asked: the sentence that merely shares the most
words ("Since the start of 2024, the EU has…") names no one, and a sentence naming another
country's minister answers another question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.coreference import is_title_word
from rag.countries import countries, first_country
from rag.lexicon import english, read_lines
from rag.normalize import STOPWORDS, fold, is_common_word, terms
from rag.paraphrases import paraphrase_terms

_TOKEN = re.compile(r"[^\W\d_][\w’'.-]*|\d+|[,;:()“”\"—]")
MAX_OFFICE_WORDS = 2  # "foreign minister", "state department spokesman": words before the title
MAX_NAME_WORDS = 3  # "Radosław Sikorski", "Josep Borrell Fontelles"


@dataclass(frozen=True)
class Holder:
    """A person a sentence names as holding an office."""

    name: str  # "Radosław Sikorski"
    office: frozenset[str]  # {"foreign", "minister"}: folded, singular
    country: str  # "poland"; "" when the sentence names none


@dataclass(frozen=True)
class AskedOffice:
    """The office a question asks the holder of."""

    office: frozenset[str]
    country: str  # "" when the question names none
    several: bool  # "ministers", "names": every holder, not one


@lru_cache(maxsize=1)
def _question_words() -> frozenset[str]:
    return frozenset(read_lines("en", "office_question_words.txt"))


def _singular(word: str) -> str:
    folded = fold(word).strip("’'.")
    return folded.removesuffix("s") if is_title_word(folded) else folded


def _is_name_word(token: str) -> bool:
    lexicon = english()
    return (
        token[:1].isupper()
        and token not in lexicon.plain_capitals
        and token not in lexicon.months
        and token not in lexicon.weekdays
        and not is_title_word(token)
        and not countries(token)
    )


def _office_span(tokens: list[str], title: int) -> int:
    """The first token of the office ending at the title word `title`: up to
    MAX_OFFICE_WORDS words before it that are neither stop words nor countries, and either
    lower case or common English words capitalised as part of the office ("Foreign
    Minister", "State Department spokesman"; not the name in "Makei, Belarus’ …")."""
    first = title
    while first > 0 and title - first < MAX_OFFICE_WORDS:
        word = tokens[first - 1]
        if not word[:1].isalpha() or fold(word) in STOPWORDS or countries(word):
            break
        if word[:1].isupper() and not is_common_word(word):
            break
        first -= 1
    return first


def _office_after(
    tokens: list[str], start: int, any_case: bool = False
) -> tuple[int, frozenset[str], str]:
    """The office's words after its title ("Minister *of Defense of the Republic*"): where
    they end, the common words they add ("defense", "republic") and the country they name
    ('' if none). Each is "of", maybe "the", and one capitalised common word or country (in
    a question, `any_case`: "the minister of defense of belarus")."""
    at, words, country = start, set(), ""
    while at + 1 < len(tokens) and tokens[at].casefold() == "of":
        k = at + 2 if tokens[at + 1].casefold() == "the" else at + 1
        if k >= len(tokens) or not (any_case or tokens[k][:1].isupper()):
            break
        if countries(tokens[k]):
            country = country or next(iter(sorted(countries(tokens[k]))))
        elif is_common_word(tokens[k]) and not is_title_word(tokens[k]):
            words.add(_singular(tokens[k]))
        else:
            break
        at = k + 1
    return at, frozenset(words), country


def holders(sentence: str, passage: str = "") -> list[Holder]:
    """The office holders `sentence` names (see the module); the country of an office that
    names none comes from the sentence, else from `passage`."""
    tokens = _TOKEN.findall(sentence)
    found = []
    for i, token in enumerate(tokens):
        if not is_title_word(token):
            continue
        if any(is_title_word(t) for t in tokens[i + 1 : i + 1 + MAX_OFFICE_WORDS]):
            continue  # "Deputy" of "First Deputy Interior Minister": the office goes on
        first = _office_span(tokens, i)
        office = frozenset(_singular(t) for t in tokens[first : i + 1])
        country = ""
        if first > 0 and countries(tokens[first - 1]):
            country = next(iter(sorted(countries(tokens[first - 1]))))
        name: list[str] = []
        j, more, of_country = _office_after(tokens, i + 1)
        while j < len(tokens) and len(name) < MAX_NAME_WORDS and _is_name_word(tokens[j]):
            name.append(tokens[j])
            j += 1
        if name:
            # "the Minister of Defense of the Republic Mariusz Blaszczak"
            office, country = office | more, country or of_country
        else:
            j = i + 1
        if not name:
            # "Vladimir Makei, Belarus’ foreign minister": a name, a comma, the office
            k = first - (2 if country else 1)
            if k >= 0 and tokens[k] == ",":
                j = k - 1
                while j >= 0 and len(name) < MAX_NAME_WORDS and _is_name_word(tokens[j]):
                    name.insert(0, tokens[j])
                    j -= 1
        if not name:
            continue
        country = country or first_country(sentence) or first_country(passage)
        found.append(Holder(" ".join(name), office, country))
    return found


def asked_office(question: str, outlets: tuple[str, ...] = ()) -> AskedOffice | None:
    """The office `question` asks only the holder of, or None."""
    tokens = _TOKEN.findall(question)
    # The last title word of each run ("prime minister", "deputy permanent representative")
    titles = [
        i
        for i, t in enumerate(tokens)
        if is_title_word(t) and not (i + 1 < len(tokens) and is_title_word(tokens[i + 1]))
    ]
    if len(titles) != 1:
        return None
    title = titles[0]
    first = title
    while first > 0 and title - first < MAX_OFFICE_WORDS:
        word = fold(tokens[first - 1]).strip("’'")
        if not word.isalpha() or word in STOPWORDS or countries(word) or word in _question_words():
            break
        first -= 1
    office = frozenset(_singular(t) for t in tokens[first : title + 1])
    # "who is the minister of defense of poland": the office goes on after its title
    end, more, _ = _office_after(tokens, title + 1, any_case=True)
    office |= more
    asked = set()
    for token in tokens:
        asked |= countries(token.strip("’'"))
    if len(asked) > 1:
        return None
    known = {fold(o) for o in outlets}
    lexicon = english()
    calendar = {m.lower() for m in (*lexicon.months, *lexicon.weekdays)}
    for k, token in enumerate(tokens):
        word = fold(token).strip("’'").removesuffix("’s").removesuffix("'s")
        if first <= k < end or not word[:1].isalnum():
            continue
        if (
            word in STOPWORDS
            or word in _question_words()
            or word in calendar
            or word in known
            or word.isdigit()
            or countries(word)
        ):
            continue
        return None  # "…quoted as ready to talk with Warsaw": asks more than the office
    several = tokens[title].casefold().endswith("s") or any(
        fold(t) in _list_words() for t in tokens
    )
    return AskedOffice(office, next(iter(asked)) if asked else "", several)


@lru_cache(maxsize=1)
def _list_words() -> frozenset[str]:
    return frozenset(read_lines("en", "list_words.txt"))


@lru_cache(maxsize=1)
def _deputy_words() -> frozenset[str]:
    return frozenset(read_lines("en", "deputy_words.txt"))


def covers(office: frozenset[str], asked: frozenset[str]) -> bool:
    """Whether `office` has each word of `asked`, as typed or as another word news English
    uses for it (rag/lexicon/en/paraphrases.txt): "the Belarusian leader" is its President."""
    held = {t for word in office for t in terms(word)}
    for word in asked:
        found = terms(word)
        if word not in office and not (found and paraphrase_terms().get(found[0], set()) & held):
            return False
    return True


def holds(holder: Holder, asked: AskedOffice) -> bool:
    """Whether `holder` holds the office `asked` (not as its deputy), of its country."""
    if not covers(holder.office, asked.office) or (holder.office - asked.office) & _deputy_words():
        return False
    return not asked.country or not holder.country or holder.country == asked.country


_WORDS = re.compile(r"[\w’'-]+")
DEPUTY_REACH = 2  # words before an office that may make it a deputy's ("First Deputy …")


def deputy_only(question: str, sentence: str) -> str:
    """The office `question` asks about ("who is the interior minister…") when `sentence`
    names it only as a deputy's ("First Deputy Interior Minister Juryj Nazaranka"): a near
    miss; '' otherwise (a question asking for a deputy, or no office asked)."""
    asked = [w.casefold() for w in _WORDS.findall(question)]
    deputies = _deputy_words()
    if deputies & set(asked):
        return ""  # "who is the deputy interior minister?" asks for the deputy
    said = [w.casefold() for w in _WORDS.findall(sentence)]
    for i, word in enumerate(asked):
        if i == 0 or not is_title_word(word):
            continue
        phrase = (asked[i - 1], word)
        if is_title_word(phrase[0]) or fold(phrase[0]) in STOPWORDS or countries(phrase[0]):
            continue  # "the minister", "polish minister": no office of two words
        at = [j for j in range(1, len(said)) if (said[j - 1], said[j]) == phrase]
        if at and all(deputies & set(said[max(0, j - 1 - DEPUTY_REACH) : j - 1]) for j in at):
            return " ".join(phrase)
    return ""
