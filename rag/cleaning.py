"""Find the article's own text: drop page furniture while keeping offsets into the original.

The result is a list of (start, end) spans, one per kept paragraph, so every passage cut
from them is `text[start:end]` of the file — verbatim by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.lexicon import read_lines

# Page furniture is data (rag/lexicon/furniture/): lines that are never article text, markup
# inside lines, and the phrases of paywalled related-headline lists.
_FURNITURE_LINE = re.compile(
    r"^\s*(?:" + "|".join(f"(?:{p})" for p in read_lines("furniture", "lines.txt")) + r")\s*$",
    re.IGNORECASE,
)
_PAYWALL = re.compile(
    "|".join(re.escape(p) for p in read_lines("furniture", "paywall.txt")), re.IGNORECASE
)
_LIST_ITEM = re.compile(r"^\s*[-*]\s")
_INLINE_MARKUP = re.compile("|".join(f"(?:{p})" for p in read_lines("furniture", "inline.txt")))


@dataclass(frozen=True)
class Span:
    """Half-open character range [start, end) of the original text."""

    start: int
    end: int


def _lines(text: str) -> list[Span]:
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        spans.append(Span(pos, pos + len(body)))
        pos += len(line)
    return spans


def _body_end(text: str, lines: list[Span], marker: str) -> int:
    """Offset where the article's own text ends."""
    end = len(text)
    if marker:
        found = text.find(marker)
        if found > 0:
            end = found
    for i, line in enumerate(lines):
        if line.start >= end:
            break
        if _PAYWALL.search(text[line.start : line.end]):
            # Walk back over the list and the headline that introduces it.
            j = i
            while j > 0 and _LIST_ITEM.match(text[lines[j - 1].start : lines[j - 1].end]):
                j -= 1
            while j > 0 and not text[lines[j - 1].start : lines[j - 1].end].strip():
                j -= 1
            if j > 0 and _looks_like_headline(text[lines[j - 1].start : lines[j - 1].end]):
                j -= 1
            end = min(end, lines[j].start)
            break
    return end


def _looks_like_headline(line: str) -> bool:
    stripped = line.strip()
    return 0 < len(stripped) <= 120 and not stripped.endswith((".", "?", "!", "”", '"', ":"))


def article_spans(text: str, body_ends_before: str = "") -> list[Span]:
    """Spans of the paragraphs that are the article's own text, in order."""
    lines = _lines(text)
    end = _body_end(text, lines, body_ends_before)
    kept = []
    for line in lines:
        if line.start >= end:
            break
        stop = min(line.end, end)
        content = text[line.start : stop]
        if not content.strip() or _FURNITURE_LINE.match(content) or _LIST_ITEM.match(content):
            continue
        # Trim surrounding whitespace and any inline player markup at the line's edges.
        start = line.start + (len(content) - len(content.lstrip()))
        stop = line.start + len(content.rstrip())
        markup = _INLINE_MARKUP.search(text, start, stop)
        if markup and markup.start() == start:
            start = markup.end()
        if markup and markup.end() == stop:
            stop = markup.start()
        while start < stop and text[start].isspace():
            start += 1
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        if stop > start:
            kept.append(Span(start, stop))
    return kept
