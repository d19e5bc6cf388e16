"""Citation markers in a model's answer: keep the valid ones, renumber them by first appearance.

The model cites its numbered sources as `[n]` (also `[1, 3]`, `[Source 2]`). `MarkerRewriter`
rewrites that text as it streams: numbers that match no source are dropped (with the space
before them), and so are sources past the first `limit` cited; the rest are renumbered
1, 2, 3… in order of first appearance, and leading and trailing whitespace is trimmed. Its
output does not depend on how the text is split into chunks, so the streamed text is exactly
the final answer text.
"""

from __future__ import annotations

import re

MAX_MARKER = 40  # longest bracketed text considered a marker; a longer "[" is literal text
_MARKER = re.compile(
    r"\[\s*(?:sources?\s*)?(\d{1,3}(?:\s*(?:,|;|and|&)\s*(?:sources?\s*)?\d{1,3})*)\s*\]",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+")
_CLOSING_PUNCT = ".,;:!?)»”"


class MarkerRewriter:
    """Streaming rewriter of `[n]` markers for an answer drawn from `sources` numbered sources,
    citing at most `limit` of them."""

    def __init__(self, sources: int, limit: int | None = None) -> None:
        self.sources = sources
        self.limit = sources if limit is None else limit
        self.order: list[int] = []  # source numbers (1-based) in order of first citation
        self._pending = ""
        self._space = ""
        self._started = False
        self._dropped = False
        self._text: list[str] = []

    @property
    def text(self) -> str:
        """Everything emitted so far."""
        return "".join(self._text)

    def feed(self, chunk: str) -> str:
        """Take the next piece of the model's text; return the rewritten text now safe to show."""
        self._pending += chunk
        return self._drain(final=False)

    def finish(self) -> str:
        """Flush what is held back (an unclosed `[` is literal text); trailing space is dropped."""
        out = self._drain(final=True)
        self._space = ""
        return out

    def _emit(self, out: list[str], text: str) -> None:
        if self._started and not (self._dropped and text[0] in _CLOSING_PUNCT):
            out.append(self._space)
        self._space = ""
        self._dropped = False
        self._started = True
        out.append(text)

    def _marker(self, out: list[str], numbers: list[int]) -> None:
        kept: list[int] = []
        for n in numbers:
            if not 1 <= n <= self.sources:
                continue
            if n not in self.order:
                if len(self.order) >= self.limit:
                    continue
                self.order.append(n)
            new = self.order.index(n) + 1
            if new not in kept:
                kept.append(new)
        if kept:
            self._emit(out, " ".join(f"[{k}]" for k in kept))
        else:
            self._dropped = True  # keep the held space only if a word follows

    def _drain(self, *, final: bool) -> str:
        out: list[str] = []
        text, i = self._pending, 0
        while i < len(text):
            ch = text[i]
            if ch == "[":
                window = text[i : i + MAX_MARKER]
                if "]" not in window and len(window) < MAX_MARKER and not final:
                    break  # may still become a marker: wait for more text
                match = _MARKER.match(window)
                if match:
                    self._marker(out, [int(n) for n in _NUMBER.findall(match.group(1))])
                    i += match.end()
                    continue
                self._emit(out, ch)
            elif ch.isspace():
                if self._started and not (self._dropped and self._space):
                    self._space += ch
            else:
                self._emit(out, ch)
            i += 1
        self._pending = text[i:]
        emitted = "".join(out)
        self._text.append(emitted)
        return emitted


def rewrite(text: str, sources: int, limit: int | None = None) -> tuple[str, list[int]]:
    """`text` with its markers rewritten, and the cited source numbers in their new order."""
    rewriter = MarkerRewriter(sources, limit)
    rewriter.feed(text)
    rewriter.finish()
    return rewriter.text, rewriter.order
