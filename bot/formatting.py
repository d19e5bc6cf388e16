"""Pure functions that turn pipeline results into Telegram HTML messages.

Telegram's HTML parse mode knows a handful of tags and only the entities ``&lt; &gt; &amp;
&quot;`` plus numeric ones, so *every* string that did not come from this module (article text,
outlet names, titles, the user's question) goes through :func:`esc`. Messages are limited to
4096 characters; :func:`split_blocks` packs whole HTML blocks into messages so no tag is cut.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from rag import smalltalk
from rag.i18n import DEFAULT_LANGUAGE, message
from rag.lexicon import english
from rag.smalltalk import example_questions
from rag.types import Answer, ArticleInfo

#: Telegram's limit for one message's text. We measure the HTML source, which is never shorter
#: than the text Telegram counts after parsing it, so staying under it is always safe.
MAX_MESSAGE = 4096
#: Appended to a passage that had to be shortened to fit the expanded view into one message.
ELLIPSIS = "…"

#: Outlets /help names before it says "and N more outlets".
MAX_OUTLETS_SHOWN = 12

_MONTHS = tuple(month[:3] for month in english().months)  # "Jan" … "Dec"


def esc(text: str) -> str:
    """Escape untrusted text for Telegram's HTML parse mode (``<``, ``>`` and ``&``)."""
    return html.escape(text, quote=False)


def format_date(published: str) -> str:
    """``"2024-06-25"`` → ``"25 Jun 2024"``; an odd date is shown as is, an empty one as unknown."""
    published = published.strip()
    if not published:
        return "date unknown"
    try:
        day = date.fromisoformat(published)
    except ValueError:
        return published
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class SourceRef:
    """What the bot keeps of one citation: enough to list it and to quote its passage."""

    n: int
    outlet: str
    published: str
    title: str
    passage: str

    def to_plain(self) -> tuple[int, str, str, str, str]:
        """A tuple of builtins, so pickled conversation data does not depend on this class."""
        return (self.n, self.outlet, self.published, self.title, self.passage)

    @classmethod
    def from_plain(cls, value: Sequence[object]) -> SourceRef:
        """Inverse of :meth:`to_plain`."""
        n, outlet, published, title, passage = value
        return cls(int(n), str(outlet), str(published), str(title), str(passage))  # type: ignore[call-overload]


def sources_of(answer: Answer) -> list[SourceRef]:
    """The answer's citations as :class:`SourceRef`, in citation order."""
    return [
        SourceRef(c.n, c.passage.outlet, c.passage.published, c.passage.title, c.passage.text)
        for c in sorted(answer.citations, key=lambda c: c.n)
    ]


def source_line(src: SourceRef, markers: str = "") -> str:
    """``[n] Outlet · date · title`` as HTML; outlet and date are always shown. ``markers``
    replaces ``[n]`` when several passages of one article are cited (``[1][2]``)."""
    outlet = esc(src.outlet.strip() or "unknown outlet")
    title = esc(src.title.strip() or "untitled")
    return (
        f"{markers or f'[{src.n}]'} <b>{outlet}</b> · {esc(format_date(src.published))} · {title}"
    )


def by_article(sources: Sequence[SourceRef]) -> list[list[SourceRef]]:
    """The sources grouped by article (outlet, date and title), in order of first citation:
    one source line per article, however many of its passages are cited."""
    groups: dict[tuple[str, str, str], list[SourceRef]] = {}
    for src in sources:
        groups.setdefault((src.outlet, src.published, src.title), []).append(src)
    return list(groups.values())


def telegram_sources(
    sources: Sequence[SourceRef], *, expanded: bool, limit: int = MAX_MESSAGE
) -> str:
    """The compact source list (one line per article), or with ``expanded`` each article's
    line followed by its cited passages.

    Passages are verbatim, in expandable blockquotes (marked ``[n]`` when an article has
    several). If all of them together would not fit in ``limit`` characters, each is
    shortened (at a word boundary, marked with "…") so the list still fits in one message.
    """
    groups = by_article(sources)
    lines = [
        source_line(g[0], "".join(f"[{s.n}]" for s in g) if len(g) > 1 else "") for g in groups
    ]
    if not expanded:
        return "\n".join(lines)

    def build(passages: Sequence[str]) -> str:
        texts = iter(passages)
        blocks = []
        for line, group in zip(lines, groups, strict=True):
            # In the order of the line's markers; the quotes themselves stay verbatim.
            quotes = [f"<blockquote expandable>{esc(next(texts))}</blockquote>" for _ in group]
            blocks.append("\n".join([line, *quotes]))
        return "\n".join(blocks)

    passages = [s.passage.strip() for g in groups for s in g]
    full = build(passages)
    if len(full) <= limit or not sources:
        return full
    # Share what the lines and tags leave over equally between the passages.
    overhead = len(build([""] * len(passages)))
    budget = max(0, (limit - overhead) // len(passages))
    return build([shorten_escaped(p, budget) for p in passages])


def shorten_escaped(text: str, budget: int) -> str:
    """Longest word-boundary prefix of ``text`` (plus "…") whose escaped form fits ``budget``."""
    if len(esc(text)) <= budget:
        return text
    room = budget - len(ELLIPSIS)
    lo, hi = 0, len(text)  # binary search: the longest prefix whose escaped form fits `room`
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(esc(text[:mid])) <= room:
            lo = mid
        else:
            hi = mid - 1
    cut = text[:lo]
    space = cut.rfind(" ")
    if space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split plain ``text`` into HTML-escaped pieces of at most ``limit`` characters each.

    Splits at paragraph boundaries first, then lines, sentences, words, and only as a last
    resort inside a word. Escaping happens after splitting, so an entity is never cut.
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    blocks: list[str] = []
    for paragraph in paragraphs:
        blocks.extend(_split_piece(paragraph, limit, ("\n", ". ", " ")))
    return split_blocks([esc(b) for b in blocks], limit, separator="\n\n")


def _split_piece(text: str, limit: int, separators: tuple[str, ...]) -> list[str]:
    """Plain pieces of ``text`` whose escaped length is at most ``limit``."""
    if len(esc(text)) <= limit:
        return [text]
    if not separators:
        pieces, current = [], ""
        for char in text:
            if len(esc(current + char)) > limit:
                pieces.append(current)
                current = ""
            current += char
        return [*pieces, current] if current else pieces
    sep, rest = separators[0], separators[1:]
    parts = text.split(sep)
    # Keep the separator with the part before it (". " ends a sentence).
    units = [p + sep for p in parts[:-1]] + [parts[-1]]
    pieces: list[str] = []
    current = ""
    for unit in units:
        if len(esc(current + unit)) <= limit:
            current += unit
            continue
        if current.strip():
            pieces.append(current.strip())
        if len(esc(unit)) > limit:
            pieces.extend(_split_piece(unit.strip(), limit, rest))
            current = ""
        else:
            current = unit
    if current.strip():
        pieces.append(current.strip())
    return pieces


def split_blocks(
    blocks: Iterable[str], limit: int = MAX_MESSAGE, separator: str = "\n\n"
) -> list[str]:
    """Pack whole HTML blocks into as few messages of at most ``limit`` characters as possible.

    Each block must itself be complete HTML (every tag it opens it closes) and no longer than
    ``limit``; blocks are never cut, so neither is any tag.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        if len(block) > limit:
            raise ValueError(f"block of {len(block)} characters exceeds the limit of {limit}")
        candidate = f"{current}{separator}{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = block
    if current:
        messages.append(current)
    return messages


@dataclass(frozen=True)
class AnswerLayout:
    """The messages that show one answer.

    ``messages`` are sent in order; when there are ``sources`` the last message carries the
    "Show passages" button, and it is re-rendered as ``head`` + the (expanded or compact)
    source list when the button is pressed.
    """

    messages: list[str]
    head: str
    sources: list[SourceRef]
    note: str = ""


# "RT (2021-11-12): …", the extractive answer's attribution of one outlet's claim, and
# "That comes from RT (2021-11-12) [1]: …", the answer to "which outlet?".
_ISO_DATE_IN_PARENS = re.compile(r"\((\d{4}-\d{2}-\d{2})\)(?=: | \[\d+\])")


def layout_answer(
    answer: Answer, limit: int = MAX_MESSAGE, *, show_query: bool = False
) -> AnswerLayout:
    """Lay out an answer: its text with ``[n]`` markers, then ``[n] Outlet · date · title``.

    An abstained answer is just its decline text: no sources. The layout is planned with the
    *expanded* source list, so the last message still fits after "Show passages" is pressed.
    ``show_query`` (TELEGRAM_SHOW_QUERY, for debugging) adds what a follow-up was searched as.
    Dates in the answer text ("RT (2021-11-12): …") take the source lines' format.
    """
    notes = []
    if answer.fallback_reason:  # the model failed: say why this answer reads differently
        notes.append(f"<i>{esc(answer.fallback_reason)}</i>")
    query = answer.search_query.strip()
    resolved = _normalise(query) != _normalise(answer.question)
    if show_query and query and not answer.abstained and resolved:
        notes.append(f"<i>Searched for: {esc(query)}</i>")
    note = "\n".join(notes)
    text = _ISO_DATE_IN_PARENS.sub(lambda m: f"({format_date(m.group(1))})", answer.answer or "")
    body = split_text(text, limit) or [esc("(no answer text)")]
    if note and len(body[0]) + len(note) + 2 <= limit:
        body[0] = f"{note}\n\n{body[0]}"
    sources = [] if answer.abstained else sources_of(answer)
    if not sources:
        return AnswerLayout(messages=body, head="", sources=[], note=note)

    expanded = telegram_sources(sources, expanded=True, limit=limit)
    compact = telegram_sources(sources, expanded=False, limit=limit)
    last = body[-1]
    if len(last) + 2 + len(expanded) <= limit:
        # The source list shares the last message of the answer.
        return AnswerLayout(
            messages=[*body[:-1], f"{last}\n\n{compact}"], head=last, sources=sources, note=note
        )
    return AnswerLayout(messages=[*body, compact], head="", sources=sources, note=note)


def render_last(head: str, sources: Sequence[SourceRef], *, expanded: bool) -> str:
    """The message that carries the button, with the passages shown or hidden."""
    listing = telegram_sources(sources, expanded=expanded, limit=MAX_MESSAGE - len(head) - 2)
    return f"{head}\n\n{listing}" if head else listing


def _normalise(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def telegram_html_as_plain(text: str) -> str:
    """Plain-text fallback for an HTML message Telegram refused: drop tags, unescape."""
    return html.unescape(re.sub(r"<[^>]*>", "", text))


# --- /help and /sources --------------------------------------------------------------------


def corpus_summary(articles: Sequence[ArticleInfo]) -> str:
    """One HTML sentence: how many articles, from which outlets, over which dates."""
    if not articles:
        return "I have no articles indexed yet, so I cannot answer questions."
    outlets = sorted({a.outlet.strip() or "unknown outlet" for a in articles}, key=str.casefold)
    dates = sorted(a.published for a in articles if a.published)
    count = len(articles)
    noun = "article" if count == 1 else "articles"
    names = [f"<b>{esc(n)}</b>" for n in outlets]
    if len(names) > MAX_OUTLETS_SHOWN:  # /help stays one message, however many outlets
        more = len(names) - MAX_OUTLETS_SHOWN + 1
        names = [*names[: MAX_OUTLETS_SHOWN - 1], f"{more} more outlets (see /sources)"]
    text = f"I answer questions from {count} news {noun} by {_and(names)}"
    if dates:
        first, last = format_date(dates[0]), format_date(dates[-1])
        text += f", published {first}" if first == last else f", published {first} – {last}"
    return text + "."


def _and(items: Sequence[str]) -> str:
    """``items`` as "a, b and c"."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def help_text(articles: Sequence[ArticleInfo], bot_username: str, lang: str = "en") -> str:
    """The /start and /help message: what the articles are, example questions from them, how
    to ask here and in a group; in `lang` (the person's app language) from the catalogs."""
    if lang != DEFAULT_LANGUAGE:
        return _help_text_from_catalog(articles, bot_username, lang)
    mention = f"@{esc(bot_username)}" if bot_username else "me"
    examples = "".join(f"• <code>{esc(q)}</code>\n" for q in example_questions(articles))
    tries = f"<b>Try</b>\n{examples}\n" if examples else ""
    return (
        f"{corpus_summary(articles)}\n"
        "Every answer cites its sources with outlet and date; press <b>Show passages</b> "
        "under an answer to read the quoted text.\n\n"
        f"{tries}"
        "<b>How to ask</b>\n"
        "• Here, just send your question as a message.\n"
        f"• In a group, mention me ({mention} your question), reply to one of my messages, "
        "or use /ask your question.\n"
        '• Follow-up questions ("and what did Poland say?") use our recent conversation; '
        "/reset forgets it.\n\n"
        "<b>Commands</b>\n"
        "/ask – ask a question\n"
        "/sources – the articles I know\n"
        "/reset – forget our conversation\n"
        "/help – this message"
    )


def _help_text_from_catalog(articles: Sequence[ArticleInfo], bot_username: str, lang: str) -> str:
    mention = f"@{esc(bot_username)}" if bot_username else esc(message("bot.mention_me", lang))
    text = message(
        "bot.help",
        lang,
        summary=esc(smalltalk.corpus_summary(articles, lang, max_outlets=MAX_OUTLETS_SHOWN)),
        # The buttons are labelled in English (an answer's language is not stored with it).
        show_passages=esc(message("passages.show", DEFAULT_LANGUAGE)),
        mention=mention,
    )
    examples = "".join(f"• <code>{esc(q)}</code>\n" for q in example_questions(articles))
    if examples:
        text += "\n\n" + message("bot.examples", lang, examples=examples.rstrip("\n"))
    return text


def sources_blocks(articles: Sequence[ArticleInfo]) -> list[str]:
    """The /sources listing as HTML blocks (one per outlet), for :func:`split_blocks`."""
    if not articles:
        return [esc("No articles are indexed yet.")]
    by_outlet: dict[str, list[ArticleInfo]] = {}
    for article in articles:
        by_outlet.setdefault(article.outlet.strip() or "unknown outlet", []).append(article)
    count = len(articles)
    blocks = [
        f"<b>{count} {'article' if count == 1 else 'articles'} "
        f"from {len(by_outlet)} {'outlet' if len(by_outlet) == 1 else 'outlets'}</b>"
    ]
    for outlet in sorted(by_outlet, key=str.casefold):
        items = sorted(by_outlet[outlet], key=lambda a: a.published, reverse=True)
        lines = [f"<b>{esc(outlet)}</b>"]
        for a in items:
            title = esc(a.title.strip() or "untitled")
            lines.append(f"• {esc(format_date(a.published))} · {title}")
        # An outlet with very many articles becomes several blocks, each under the limit.
        blocks.extend(split_blocks(lines, MAX_MESSAGE, separator="\n"))
    return blocks
