"""Questions that ask two things at once, split into parts answered one by one.

"Who was Belarus's foreign minister in late June 2024, and who held the post by November
2024?" has one answer per part, usually in different articles. Searched as one question, each
part's words count against the other's sentence and the whole is declined. Split, each part is
searched and gated on its own words, then the answers are joined with one numbering of sources.

A later part that leans on the first ("…, and how many by mid-November?", "who held the post
by…") is completed with the first part's words: its question word first, then the first
part's words minus the dates and outlets it replaces, then its own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rag.ellipsis import without_replaced_details
from rag.lexicon import read_lines
from rag.types import Answer, Citation

_WH = r"(?:who|whom|whose|what|which|when|where|why|how)"
_AUX = r"(?:do|does|did|is|are|was|were|has|have|had|can|could|will|would)"
# ", and who …", " and how many …", "; what …", " — do the reports agree?"
_BOUNDARY = re.compile(
    rf"(?:,?\s+(?:and|but|while)\s+(?={_WH}\b)|\s*;\s+(?=(?:and\s+)?(?:{_WH}|{_AUX})\b)"
    rf"|\s+[—–-]{{1,2}}\s+(?=(?:and\s+)?(?:{_WH}|{_AUX})\b))",
    re.IGNORECASE,
)
_CONJUNCTION = re.compile(r"^(?:and|but|while)\s+", re.IGNORECASE)
# The question word with what belongs to it ("how many", "which countries" keeps its noun out).
_WH_PHRASE = re.compile(rf"\b{_WH}(?:\s+(?:many|much|long|old|often|far))?\b", re.IGNORECASE)
_WORD = re.compile(r"[\w’'-]+")
_MARKER = re.compile(r"\[(\d+)\]")
MIN_PART_WORDS = 3  # "…, and when?" stays one question: its sentence usually says both


@dataclass(frozen=True)
class _Cues:
    prepositions: frozenset[str]  # "in", "by": right after the question word, a part is elliptic
    anaphors: tuple[str, ...]  # "it", "the post": a part that leans on the one before


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    return _Cues(
        prepositions=frozenset(read_lines("en", "prepositions.txt")),
        anaphors=tuple(read_lines("en", "anaphors.txt")),
    )


@dataclass(frozen=True)
class Part:
    """One thing a question asks: as the user wrote it, and as a question of its own."""

    asked: str  # "how many by mid-November?"
    query: str  # "how many attempts … since the start of 2024 by mid-November?"


def split_question(question: str) -> list[Part]:
    """The parts of an English question that asks two or more things; one part, the question
    itself, when it asks one thing."""
    whole = [Part(question, question)]
    pieces = [p.strip(" ,;?") for p in _BOUNDARY.split(question.strip())]
    pieces = [_CONJUNCTION.sub("", p) for p in pieces if p]
    if len(pieces) < 2 or any(len(_WORD.findall(p)) < MIN_PART_WORDS for p in pieces):
        return whole
    first = pieces[0]
    if not _WH_PHRASE.search(first) and not re.match(rf"{_AUX}\b", first, re.IGNORECASE):
        return whole  # "Poland closed the border, and why?": not two questions
    return [Part(f"{first}?", f"{first}?")] + [
        Part(f"{p}?", f"{_completed(p, first)}?") for p in pieces[1:]
    ]


def _completed(part: str, first: str) -> str:
    """`part` with the words of `first` it leaves out ("how many by mid-November" -> "how
    many attempts … were recorded since the start of 2024 by mid-November")."""
    if not _leans_on(part):
        return part
    wh = _WH_PHRASE.search(part)
    context = _WH_PHRASE.sub(" ", first, count=1)
    context = without_replaced_details(context, part)
    if wh is None:  # a yes-or-no keeps its verb first, so it is still asked as one
        return " ".join(f"{part} {context}".split())
    head, rest = part[: wh.end()], part[wh.end() :]
    return " ".join(f"{head} {context} {rest}".split())


def _leans_on(part: str) -> bool:
    """Whether a later part leaves out words the first part said: a yes-or-no about it, no
    verb after its question word ("who in Pozirk's report", "how many by mid-November") or a
    word standing for something said before ("the post", "it")."""
    cues = _cues()
    if re.match(rf"{_AUX}\b", part, re.IGNORECASE):
        return True  # "…? — do the reports agree?": a yes-or-no about the first part
    wh = _WH_PHRASE.search(part)
    after = _WORD.findall(part[wh.end() :]) if wh else []
    if after and after[0].casefold() in cues.prepositions:
        return True
    folded = f" {' '.join(w.casefold() for w in _WORD.findall(part))} "
    return any(f" {a} " in folded for a in cues.anaphors)


def _renumbered(text: str, renumber: dict[int, int]) -> str:
    return _MARKER.sub(lambda m: f"[{renumber.get(int(m.group(1)), m.group(1))}]", text)


def merge(
    question: str,
    parts: Sequence[Part],
    answers: Sequence[Answer],
    declined: Callable[[str], str],
) -> Answer:
    """One answer from the answers to a question's parts (at least one answered): each
    answered part's text in order, its `[n]` markers renumbered over the union of the cited
    passages (a passage cited for two parts keeps one number); a declined part is named by
    `declined` ("The articles … do not answer this part: …")."""
    citations: list[Citation] = []
    numbers: dict[tuple[str, str], int] = {}
    texts: list[str] = []
    for part, answer in zip(parts, answers, strict=True):
        if answer.abstained:
            texts.append(declined(part.asked))
            continue
        renumber: dict[int, int] = {}
        for c in answer.citations:
            key = (c.passage.doc, c.passage.text)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(Citation(numbers[key], c.passage, c.score))
            renumber[c.n] = numbers[key]
        text = _renumbered(answer.answer, renumber)
        if text not in texts:  # one sentence answering both parts is said once
            texts.append(text)
    return Answer(
        question,
        "\n".join(texts),
        False,
        citations,
        search_query=" | ".join(a.search_query for a in answers),
        answerer=answers[0].answerer,
        language=answers[0].language,
    )
