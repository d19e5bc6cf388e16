"""Prompt templates (files in prompts/) and the rendering of untrusted text into them.

Templates are `string.Template` files: `$name` placeholders, `$$` for a literal dollar sign.
Substituted values are never parsed again, so `$`, `{}` or `%` in article text cannot break
the formatting. Article text and questions are untrusted: they are placed inside tags
(`<source …>…</source>`, `<question>…</question>`) with `&`, `<` and `>` escaped, so no text
can close its tag and pose as instructions.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from string import Template

from rag.config import PROMPTS_DIR
from rag.types import Passage, Turn

Message = dict[str, str]

HISTORY_ANSWER_CHARS = 300  # each earlier answer is cut to this length


@lru_cache(maxsize=32)
def load_template(name: str, folder: Path = PROMPTS_DIR) -> Template:
    """The template `folder/name.txt` (cached). Raises FileNotFoundError when it is missing."""
    return Template((folder / f"{name}.txt").read_text(encoding="utf-8").strip())


def render(name: str, **values: str) -> str:
    """Template `name` with every placeholder filled; a missing value raises KeyError."""
    return load_template(name).substitute(values)


def quote_text(text: str) -> str:
    """Untrusted text made safe to place between tags: `&`, `<`, `>` escaped."""
    return html.escape(text, quote=False)


def quote_attr(text: str) -> str:
    """Untrusted text made safe as a double-quoted tag attribute, on one line."""
    return html.escape(" ".join(text.split()), quote=True)


def format_source(n: int, passage: Passage) -> str:
    """One numbered source: outlet, date and title as attributes, the passage as quoted data."""
    outlet, title = quote_attr(passage.outlet), quote_attr(passage.title)
    published = quote_attr(passage.published or "unknown")
    return (
        f'<source n="{n}" outlet="{outlet}" date="{published}" title="{title}">\n'
        f"{quote_text(passage.text.strip())}\n</source>"
    )


def answer_messages(
    question: str, sources: Sequence[Passage], *, structured: bool = False
) -> list[Message]:
    """Messages asking for a cited answer from `sources` (numbered from 1): the rules, one
    worked example (it shows small models the `[n]` format), then the question.

    `structured`: the reply is asked for as rag.answering.structured's JSON (the example
    answered that way too).
    """
    blocks = "\n\n".join(format_source(n, p) for n, p in enumerate(sources, start=1))
    example = render("answer_example_assistant")
    ask = render("answer_user", sources=blocks, question=quote_text(question))
    if structured:
        example = json.dumps({"answer": example}, ensure_ascii=False)
        ask = f"{ask}\n{render('answer_json')}"
    return [
        {"role": "system", "content": render("answer_system")},
        {"role": "user", "content": render("answer_example_user")},
        {"role": "assistant", "content": example},
        {"role": "user", "content": ask},
    ]


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def format_history(history: Sequence[Turn]) -> str:
    """The exchanges as 'User: …' / 'Assistant: …' lines, escaped.

    Every turn given is shown: the front end already kept as many as it was told to remember
    (RAG_HISTORY_TURNS, TELEGRAM_HISTORY_TURNS).
    """
    lines = []
    for turn in history:
        lines.append(f"User: {quote_text(_short(turn.question, HISTORY_ANSWER_CHARS))}")
        if turn.answer:
            lines.append(f"Assistant: {quote_text(_short(turn.answer, HISTORY_ANSWER_CHARS))}")
    return "\n".join(lines)


def condense_messages(question: str, history: Sequence[Turn], today: date) -> list[Message]:
    """Messages asking to rewrite `question` as a standalone question, given `history`."""
    return [
        {"role": "system", "content": render("condense_system")},
        {
            "role": "user",
            "content": render(
                "condense_user",
                today=today.isoformat(),
                history=format_history(history),
                question=quote_text(question),
            ),
        },
    ]
