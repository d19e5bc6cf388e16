"""Answers as JSON: `{"answer": "… [1]."}`, or `{"answer": "", "decline": true}` when the
sources do not answer. A runtime that enforces a JSON schema (llama.cpp's grammar) cannot
then mix a refusal into prose or leave the markers to guesswork.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "answer": {"type": "string"},
        "decline": {"type": "boolean"},
    },
    "required": ["answer"],
}

_ANSWER_START = re.compile(r'"answer"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


@dataclass(frozen=True)
class StructuredReply:
    """What the model replied: its answer text, or that it declines."""

    answer: str
    decline: bool


def parse(raw: str) -> StructuredReply | None:
    """The reply in `raw`, or None when it is not the JSON asked for."""
    try:
        data = json.loads(raw.strip())
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("answer", None), str):
        return None
    decline = data.get("decline", False) is True
    return StructuredReply(data["answer"].strip(), decline)


class AnswerFieldStream:
    """Turns the streamed JSON into the streamed text of its "answer" field, so a reader sees
    the answer being written, not braces and quotes."""

    def __init__(self) -> None:
        self._raw = ""
        self._at: int | None = None  # where the answer string's next character is
        self._done = False

    def feed(self, piece: str) -> str:
        """The answer text that `piece` completes ('' when none yet)."""
        self._raw += piece
        if self._done:
            return ""
        if self._at is None:
            start = _ANSWER_START.search(self._raw)
            if start is None:
                return ""
            self._at = start.end()
        out = []
        i = self._at
        while i < len(self._raw):
            ch = self._raw[i]
            if ch == '"':
                self._done = True
                i += 1
                break
            if ch == "\\":
                if i + 1 >= len(self._raw):
                    break  # the escape's second half is still to come
                code = self._raw[i + 1]
                if code == "u":
                    if i + 6 > len(self._raw):
                        break
                    with contextlib.suppress(ValueError):  # a malformed escape is left out
                        out.append(chr(int(self._raw[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                out.append(_ESCAPES.get(code, code))
                i += 2
                continue
            out.append(ch)
            i += 1
        self._at = i
        return "".join(out)
