"""Split the kept paragraphs into sentences and group them into quotable passages."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rag.cleaning import Span
from rag.lexicon import english

MAX_PASSAGE_CHARS = 360
MIN_PASSAGE_CHARS = 70
#: A "sentence" longer than this (a table, a list run together) is cut into clauses: one
#: passage of thousands of characters quotes badly and pads every embedding batch to 256 tokens.
LONG_SENTENCE_CHARS = 2 * MAX_PASSAGE_CHARS
# Where a long sentence may be cut, best first; each keeps its punctuation on the left.
_CLAUSE_BREAKS = (re.compile(r"[;:]\s"), re.compile(r"(?:,|\s[—–-])\s"), re.compile(r"\s"))

_ABBREVIATIONS = english().abbreviations  # rag/lexicon/en/abbreviations.txt
# A sentence ends at . ! ? or … (plus closing quotes/brackets) followed by space and a capital,
# a digit or an opening quote.
_BOUNDARY = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9ŁŚŻŹĆŃÓ])""")


def sentence_spans(text: str, span: Span) -> Iterator[Span]:
    """Sentence spans inside `span` of `text`."""
    start = span.start
    for match in _BOUNDARY.finditer(text, span.start, span.end):
        word = re.search(r"([\w.]+)[.!?…]*$", text[start : match.start() + 1])
        token = (word.group(1) if word else "").rstrip(".").lower()
        if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue  # "Mr. Putin", "J. Borrell": not an end
        end = match.end()
        if end - start >= 2:
            yield Span(start, end)
        start = end
        while start < span.end and text[start].isspace():
            start += 1
    if span.end > start:
        yield Span(start, span.end)


def sentences(text: str) -> list[str]:
    """The sentences of `text`, split as passages are ("Mr. Putin", "the U.S." stay whole)."""
    return [text[s.start : s.end] for s in sentence_spans(text, Span(0, len(text)))]


def clause_spans(text: str, span: Span, limit: int = MAX_PASSAGE_CHARS) -> Iterator[Span]:
    """Cut `span` into pieces of at most `limit` characters, trimmed of surrounding space, at
    the last clause break that leaves a piece at least half as long (a word longer than
    `limit` is cut at `limit`)."""
    start = span.start
    while start < span.end:
        while start < span.end and text[start].isspace():
            start += 1
        end = span.end
        if end - start > limit:
            window = text[start : start + limit]
            cut = 0
            for pattern in _CLAUSE_BREAKS:
                ends = [m.start() + 1 for m in pattern.finditer(window)]
                ends = [e for e in ends if e >= limit // 2]
                if ends:
                    cut = ends[-1]
                    break
            end = start + (cut or limit)
        piece_end = end
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > start:
            yield Span(start, piece_end)
        start = end


def _sentences(text: str, paragraph: Span) -> Iterator[Span]:
    for sentence in sentence_spans(text, paragraph):
        if sentence.end - sentence.start > LONG_SENTENCE_CHARS:
            yield from clause_spans(text, sentence)
        else:
            yield sentence


def _is_heading(text: str, span: Span) -> bool:
    content = text[span.start : span.end]
    return len(content.split()) <= 6 and not content.rstrip().endswith((".", "?", "!", "”", '"'))


def passage_spans(
    text: str, paragraphs: list[Span], *, skip_first_title: bool = False
) -> list[Span]:
    """Group sentences into passages of at most MAX_PASSAGE_CHARS (a sentence up to
    LONG_SENTENCE_CHARS may exceed it; a longer one is cut into clauses).

    Sentences never join across paragraphs, except that a paragraph shorter than
    MIN_PASSAGE_CHARS (a quote split over lines) joins the next one. Short headings are dropped.
    """
    passages: list[Span] = []
    carry: Span | None = None
    for index, paragraph in enumerate(paragraphs):
        if _is_heading(text, paragraph) and not (index == 0 and not skip_first_title):
            continue
        current: Span | None = carry
        carry = None
        for sentence in _sentences(text, paragraph):
            if current is None:
                current = sentence
            elif sentence.end - current.start <= MAX_PASSAGE_CHARS and (
                current.end - current.start < MIN_PASSAGE_CHARS
                or sentence.end - sentence.start < MIN_PASSAGE_CHARS
            ):
                current = Span(current.start, sentence.end)
            else:
                passages.append(current)
                current = sentence
        if current is None:
            continue
        if current.end - current.start < MIN_PASSAGE_CHARS and index + 1 < len(paragraphs):
            carry = current  # too short to stand alone as a quote: join the next paragraph
        else:
            passages.append(current)
    if carry is not None:
        passages.append(carry)
    return passages
