"""Whether an answer already quotes a passage: a follow-up is not answered again with what
the user has just been shown."""

from __future__ import annotations

import re

from rag.chunking import sentence_spans
from rag.cleaning import Span

_MARKER = re.compile(r"\s*\[\d+\]")


def cites(answer: str) -> bool:
    """Whether `answer` quotes a passage (has a marker); a decline cites nothing."""
    return bool(_MARKER.search(answer))


def without_markers(text: str) -> str:
    """`text` without its citation markers ("…the border [1]." -> "…the border.")."""
    return _MARKER.sub("", text)


def shown_text(answer: str) -> str:
    """`answer` as quotes are looked for in it: without markers, punctuation or case."""
    return " ".join(re.findall(r"\w+", without_markers(answer).casefold()))


def quoted_in(passage: str, shown: str, min_chars: int = 40) -> bool:
    """Whether the answer `shown` (as `shown_text` made it, once for many passages) quotes a
    sentence of `passage` of at least `min_chars`, compared without punctuation or case."""
    for span in sentence_spans(passage, Span(0, len(passage))):  # the chunker's sentences
        plain = shown_text(passage[span.start : span.end])
        if len(plain) >= min_chars and plain in shown:
            return True
    return False
