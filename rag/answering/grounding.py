"""Is each sentence of a generated answer supported by the passages it cites?

A model can write a fluent sentence its sources do not hold ("The capital of Latvia is Riga
[1]."). Every sentence is checked against the passages its `[n]` markers cite (a sentence
without markers, against all the answer's sources):

- its numbers appear in them (19,707 and 19707 are one number);
- its names — capitalised words past the first — appear in them, up to transliteration and
  inflection (rag.normalize's terms: Lukashenka / Lukashenko); in an answer in another
  language, only names in Latin letters (a Cyrillic "Польшу" is Poland by meaning, not
  spelling);
- most of its content words appear in them (`min_overlap`; English answers only: an answer
  written in Russian shares its names and numbers with the English passages, not its words).

One unsupported sentence sends the whole answer to the extractive fallback, with the check
that failed as its reason: dropping the sentence could leave the rest without its subject.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from rag.lexicon import english
from rag.normalize import terms
from rag.types import Passage

_MARKER = re.compile(r"\[(\d+)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZА-ЯЁІЎЄЇŁŚŻ\"“«(])")
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d{3}\b|[.,]\d+)*")
_NAME = re.compile(r"(?<![\w’'])[A-ZÀ-ÝĀ-ŽА-ЯЁІЎЄЇ][\w’'-]+")


@dataclass(frozen=True)
class GroundingTuning:
    # Share of a sentence's content terms its cited passages must hold. Set by hand: the
    # extractive answers of seeds/gold/dev.jsonl, paraphrased by a model, keep 0.6–1.0;
    # "The capital of Latvia is Riga" against a passage on Latvia's border guard keeps 0.33.
    min_overlap: float = 0.5


TUNING = GroundingTuning()


def source_text(passage: Passage) -> str:
    """What a citation vouches for: the passage, and its outlet, title and date ("According
    to RT, …" names the outlet, not the passage)."""
    return f"{passage.text}\n{passage.outlet}\n{passage.title}\n{_date_words(passage.published)}"


def _date_words(published: str) -> str:
    """'2024-06-25' with its words too ('June 25 2024'): an answer may date a claim by its
    article."""
    try:
        day = date.fromisoformat(published)
    except ValueError:
        return published
    return f"{published} {english().months[day.month - 1]} {day.day} {day.year}"


def sentences(text: str) -> list[str]:
    """The sentences of an answer (markers stay with the sentence they end)."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def unsupported(
    answer: str,
    sources: Mapping[int, str],
    *,
    english_answer: bool = True,
    tuning: GroundingTuning = TUNING,
) -> str:
    """Why `answer` is not supported by `sources` (marker number -> passage text): a short
    phrase naming the first failed check, or '' when every sentence is supported."""
    for sentence in sentences(answer):
        cited = [int(n) for n in _MARKER.findall(sentence)]
        texts = [sources[n] for n in cited if n in sources] or list(sources.values())
        reason = _sentence_unsupported(
            _MARKER.sub(" ", sentence), " ".join(texts), english_answer, tuning
        )
        if reason:
            return reason
    return ""


def _sentence_unsupported(
    sentence: str, cited: str, english_answer: bool, tuning: GroundingTuning
) -> str:
    cited_numbers = set(_NUMBER.findall(_digits(cited)))
    for number in _NUMBER.findall(sentence):
        if _digits(number) not in cited_numbers:
            return f"its answer gave the number {number}, which its sources do not"
    cited_terms = set(terms(cited, keep_stopwords=True))
    for name in _names(sentence):
        if not english_answer and not name.isascii():
            continue  # "Польшу" is Poland: only its gloss could tell (rag.gloss), not spelling
        if not set(terms(name, keep_stopwords=True)) <= cited_terms:
            return f"its answer named {name}, which its sources do not"
    if english_answer:
        content = terms(sentence)
        if content:
            share = sum(t in cited_terms for t in content) / len(content)
            if share < tuning.min_overlap:
                return "its answer said what its sources do not"
    return ""


def _names(sentence: str) -> Sequence[str]:
    """Capitalised words past the sentence's first word that are not plain words."""
    plain = english().plain_capitals
    found = []
    for match in _NAME.finditer(sentence):
        if match.start() == 0 or sentence[: match.start()].strip() in ('"', "“", "«", "("):
            continue
        word = match.group(0).strip("’'-")
        if word not in plain and len(word) > 1:
            found.append(word)
    return found


def _digits(text: str) -> str:
    """Numbers with their thousands separators taken out, so 19,707, 19 707 and 19707 match."""
    return re.sub(r"(?<=\d)[,.\u00a0\u202f ](?=\d{3}\b)", "", text)
