"""Plain-text rendering of answers and article lists for the terminal."""

from __future__ import annotations

import textwrap

from rag.i18n import message
from rag.types import Answer, ArticleInfo, Citation


def shorten(text: str, width: int) -> str:
    """`text` cut at a word boundary to at most `width` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def citation_header(c: Citation, title_width: int = 70, lang: str = "en") -> str:
    """'[1] RT · 2021-11-12 · USA, UK and EU countries accuse…'"""
    p = c.passage
    published = p.published or message("date.undated", lang)
    return f"[{c.n}] {p.outlet} · {published} · {shorten(p.title, title_width)}"


def render_answer(
    answer: Answer, *, show_question: bool = True, show_answer: bool = True, verbose: bool = False
) -> str:
    """The answer, then its numbered sources with the verbatim passages.

    `show_answer=False` leaves the answer text out (it was already streamed to the terminal).
    """
    lang = answer.language
    lines = []
    if show_question:
        lines.append(answer.question)
    if verbose and answer.search_query and answer.search_query != answer.question:
        lines.append(message("cli.searched_for", lang, query=answer.search_query))
    if answer.fallback_reason:
        lines.append(f"({answer.fallback_reason})")
    if show_answer:
        lines.append(answer.answer)
    if answer.citations and lang != "en":
        lines.append(f"({message('note.english_articles', lang)})")
    if answer.citations:
        lines.append("")
    # One source line per article, however many of its passages are cited.
    by_doc: dict[str, list[Citation]] = {}
    for c in answer.citations:
        by_doc.setdefault(c.passage.doc, []).append(c)
    for group in by_doc.values():
        several = len(group) > 1
        header = citation_header(group[0], lang=lang)
        if several:
            header = "".join(f"[{c.n}]" for c in group) + header[header.index("]") + 1 :]
        lines.append(header)
        for c in group:
            marker = f"[{c.n}] " if several else ""
            lines.append(
                textwrap.fill(
                    f"{marker}\u201c{' '.join(c.passage.text.split())}\u201d",
                    width=96,
                    initial_indent="    ",
                    subsequent_indent="    ",
                )
            )
    return "\n".join(lines)


def render_sources(articles: list[ArticleInfo]) -> str:
    """One line per article: outlet, date, title, passage count."""
    if not articles:
        return message("cli.no_articles", "en")
    width = max(len(a.outlet) for a in articles)
    undated = message("date.undated", "en")
    rows = [
        f"{a.outlet:<{width}}  {a.published or undated:<10}  {shorten(a.title, 70)}  "
        f"({message('cli.passage_count', 'en', count=a.passages)}; {a.doc})"
        for a in articles
    ]
    return "\n".join(rows) + "\n" + message("cli.articles_total", "en", count=len(articles))
