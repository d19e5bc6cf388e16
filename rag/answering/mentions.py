"""How an article introduced the people a sentence names by surname only.

News and encyclopaedia writing name a person in full once ("…, Foreign Minister Zbigniew Rau
told the Polish radio", "Vladimir Makei, Belarus’ foreign minister, spoke…") and by surname
after that ("Furthermore, Rau called Russia the ‘director’…"). A question describes the
person the first way ("What did Polish Foreign Minister Zbigniew Rau call…"), so the later
sentence, which holds the answer, would look as if it missed most of the question's names.
Its first mention's words count for it: the full name, the title before it ("the Minister of
Defense of the Republic"), and an appositive after it between commas.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.coreference import NAME, person_names
from rag.lexicon import english
from rag.normalize import terms

# At most this many words of a title before the name (within its clause) describe the
# person: "the Minister of Defense of the Republic Mariusz Blaszczak".
MAX_WORDS_BEFORE = 8
# ...and an appositive after it, between commas, of at most this many words:
# "Vladimir Makei, Belarus’ foreign minister, spoke…".
MAX_APPOSITIVE_WORDS = 6

_TITLE_GLUE = frozenset({"of", "the", "for"})  # "Minister of Defense of the Republic"


MIN_HEADLINE_WORDS = 4
HEADLINE_CAPITALS = 0.6  # share of a line's words capitalised that makes it a headline
_CLAUSE_BREAK = re.compile(r"[,;:.!?()“”\"«»—–]")


def _description(article: str, start: int, end: int) -> str:
    """The text describing the name at article[start:end]: clause words before it, the name,
    and an appositive after it."""
    clause = _CLAUSE_BREAK.split(article[:start])[-1].split()[-MAX_WORDS_BEFORE:]
    # Only the title before the name ("the Minister of Defense of the Republic", "Polish
    # Foreign Minister"), not the clause's other words ("Famous musicians include …").
    before: list[str] = []
    for word in reversed(clause):
        if not (word[:1].isupper() or word.casefold() in _TITLE_GLUE | english().title_words):
            break
        before.insert(0, word)
    while before and before[0].casefold() in _TITLE_GLUE:
        before.pop(0)
    after = ""
    rest = article[end:]
    if rest.startswith(","):
        appositive = rest[1:].split(",", 1)
        if len(appositive) == 2 and len(appositive[0].split()) <= MAX_APPOSITIVE_WORDS:
            after = appositive[0]
    return " ".join([*before, article[start:end], after])


def _is_headline(line: str) -> bool:
    """A line in title case ("Vladimir Putin Denies Stoking the Migrant Crisis"): one run of
    capitals that is no name."""
    words = [w for w in line.split() if w[:1].isalpha()]
    capitals = sum(w[:1].isupper() for w in words)
    return len(words) >= MIN_HEADLINE_WORDS and capitals >= HEADLINE_CAPITALS * len(words)


@lru_cache(maxsize=4_096)
def first_mentions(article: str) -> dict[str, str]:
    """Each surname the article names a person by, mapped to the description of its first
    mention with more than the surname ("rau" -> "Foreign Minister Zbigniew Rau"). Line by
    line: a name does not run on from a headline into the next line."""
    described: dict[str, str] = {}
    for line in article.splitlines():
        if _is_headline(line):
            continue
        for m in NAME.finditer(line):
            words = m.group(0).split()
            if len(words) < 2:
                continue
            surname = words[-1].casefold()
            if surname not in described:
                described[surname] = _description(line, m.start(), m.end())
    return described


def mention_terms(sentence: str, article: str) -> set[str]:
    """Terms of the first mentions, in `article`, of the people `sentence` names."""
    described = first_mentions(article)
    found: set[str] = set()
    for name in person_names(sentence):
        description = described.get(name.split()[-1].casefold())
        if description:
            found.update(terms(description))
    return found
