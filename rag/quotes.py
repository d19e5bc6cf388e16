"""Whether an answer already quotes a passage: a follow-up is not answered again with what
the user has just been shown."""

from __future__ import annotations

import re

from rag.chunking import sentence_spans
from rag.cleaning import Span

_MARKER = re.compile(r"\s*\[\d+\]")


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", _MARKER.sub("", text).casefold()))


def already_quoted(passage: str, answer: str, min_chars: int = 40) -> bool:
    """Whether `answer` quotes a sentence of `passage` (a sentence of at least `min_chars`,
    compared without punctuation or case)."""
    shown = _plain(answer)
    for span in sentence_spans(passage, Span(0, len(passage))):  # the chunker's sentences
        plain = _plain(passage[span.start : span.end])
        if len(plain) >= min_chars and plain in shown:
            return True
    return False
