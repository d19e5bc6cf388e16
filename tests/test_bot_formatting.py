"""The bot's pure formatting: escaping, answer layout, splitting under Telegram's limit.

Every message produced here is checked with the fake server's parser, which accepts only
what Telegram's HTML parse mode accepts.
"""

from __future__ import annotations

import re

import pytest
from fake_telegram import EntityError, parse_telegram_html, utf16_len

from bot import formatting
from bot.formatting import MAX_MESSAGE, SourceRef
from rag.types import Answer, ArticleInfo, Citation, Passage

NASTY = "<b>Tom & Jerry</b> \"quoted\" 'single' </blockquote> &amp; &lt;"


def passage(n: int, text: str, outlet: str = "Pozirk", title: str = "A title") -> Passage:
    return Passage(f"p{n}", f"doc{n}", outlet, title, "2024-06-25", 0, len(text), text)


def answer(text: str, *passages: Passage, abstained: bool = False, query: str = "") -> Answer:
    citations = [Citation(n + 1, p, 0.5) for n, p in enumerate(passages)]
    return Answer("Q?", text, abstained, citations, search_query=query or "Q?")


def visible(message: str) -> str:
    """What the user sees; fails the test if Telegram would reject the HTML."""
    text, _ = parse_telegram_html(message)
    assert utf16_len(text) <= MAX_MESSAGE
    return text


def test_escaped_text_is_shown_literally() -> None:
    assert visible(formatting.esc(NASTY)) == NASTY
    with pytest.raises(EntityError):  # the check has teeth: unescaped, Telegram refuses it
        visible(NASTY)


@pytest.mark.parametrize(
    ("published", "shown"),
    [
        ("2024-06-25", "25 Jun 2024"),
        ("2021-11-03", "3 Nov 2021"),
        ("", "date unknown"),
        ("2021", "2021"),
    ],
)
def test_dates_are_readable(published: str, shown: str) -> None:
    assert formatting.format_date(published) == shown


def test_answer_then_compact_sources_with_outlet_and_date() -> None:
    layout = formatting.layout_answer(
        answer(
            "Alejnik said dialogue is the only way [1]. Rau disagreed [2].",
            passage(1, "Dialogue is the only way."),
            passage(2, "Rau said <no>.", outlet="TASS & <Co>", title=NASTY),
        )
    )
    (message,) = layout.messages
    assert visible(message) == (
        "Alejnik said dialogue is the only way [1]. Rau disagreed [2].\n\n"
        "[1] Pozirk · 25 Jun 2024 · A title\n"
        f"[2] TASS & <Co> · 25 Jun 2024 · {NASTY}"
    )
    assert [s.outlet for s in layout.sources] == ["Pozirk", "TASS & <Co>"]


def test_expanded_sources_quote_passages_verbatim_in_expandable_blockquotes() -> None:
    sources = [SourceRef(1, "RT", "2021-11-12", "T", 'He said <x> & "y".\nSecond line.')]
    text, entities = parse_telegram_html(formatting.render_last("Head", sources, expanded=True))
    assert text == 'Head\n\n[1] RT · 12 Nov 2021 · T\nHe said <x> & "y".\nSecond line.'
    quote = [e for e in entities if e["type"] == "expandable_blockquote"]
    assert len(quote) == 1 and text[quote[0]["offset"] :] == sources[0].passage


def test_abstained_answer_is_only_the_decline() -> None:
    decline = "The articles I have do not say."
    layout = formatting.layout_answer(answer(decline, passage(1, "x"), abstained=True))
    assert [visible(m) for m in layout.messages] == [decline]
    assert layout.sources == []


def test_follow_up_shows_what_was_searched_for_escaped() -> None:
    layout = formatting.layout_answer(
        answer("A [1].", passage(1, "p"), query=f"Earlier? {NASTY}"), show_query=True
    )
    assert visible(layout.messages[0]).startswith(f"Searched for: Earlier? {NASTY}\n\nA [1].")
    # ...but not when the search was the question itself, nor to users by default.
    plain = formatting.layout_answer(answer("A [1].", passage(1, "p"), query="q"), show_query=True)
    assert "Searched for" not in plain.messages[0]
    default = formatting.layout_answer(answer("A [1].", passage(1, "p"), query="Earlier?"))
    assert "Searched for" not in default.messages[0]


def test_an_outlets_date_in_the_answer_takes_the_source_lines_format() -> None:
    text = "RT (2021-11-12): A claim [1].\nTIME (2021-11-14): Another [2]."
    cited = (passage(1, "a", outlet="RT", title="One"), passage(2, "b", outlet="TIME", title="Two"))
    shown = visible(formatting.layout_answer(answer(text, *cited)).messages[0])
    assert shown.startswith("RT (12 Nov 2021): A claim [1].\nTIME (14 Nov 2021): Another [2].")
    assert "2021-11" not in shown
    lead = "That comes from RT (2021-11-12) [1]: A claim [1]."
    shown = visible(formatting.layout_answer(answer(lead, cited[0])).messages[0])
    assert shown.startswith("That comes from RT (12 Nov 2021) [1]: A claim [1].")


def five_thousand_characters() -> str:
    paragraphs = [
        f'Paragraph {i} says <{i}> & "more" about the border '
        + "and talks " * 40
        + f"[{i % 3 + 1}]."
        for i in range(12)
    ]
    text = "\n\n".join(paragraphs)
    assert len(text) >= 5000
    return text


def test_five_thousand_character_answer_splits_between_paragraphs() -> None:
    text = five_thousand_characters()
    cited = (passage(1, "p1", title="One"), passage(2, "p2", title="Two"))
    layout = formatting.layout_answer(answer(text, *cited))
    shown = [visible(m) for m in layout.messages]
    assert len(shown) >= 2 and all(len(m) <= MAX_MESSAGE for m in layout.messages)
    body = "\n\n".join(shown)
    paragraphs = text.split("\n\n")
    # Each paragraph is whole in exactly one message, in order.
    for paragraph in paragraphs:
        assert sum(paragraph in m for m in shown) == 1
    assert body.startswith(paragraphs[0]) and paragraphs[-1] in shown[-1]
    assert source_list(shown[-1]) == ["[1] Pozirk", "[2] Pozirk"]


def source_list(text: str) -> list[str]:
    return re.findall(r"^\[\d+\] \w+", text, flags=re.MULTILINE)


def test_expanded_view_still_fits_after_splitting() -> None:
    long_passages = [passage(n, f"Passage {n} " + "words " * 150) for n in range(1, 4)]
    layout = formatting.layout_answer(answer(five_thousand_characters(), *long_passages))
    expanded = formatting.render_last(layout.head, layout.sources, expanded=True)
    quotes = [e for e in parse_telegram_html(expanded)[1] if "blockquote" in e["type"]]
    assert len(quotes) == 3 and len(expanded) <= MAX_MESSAGE
    assert (
        formatting.render_last(layout.head, layout.sources, expanded=False) == layout.messages[-1]
    )


@pytest.mark.parametrize(
    "text",
    [
        "One enormous paragraph. " * 400,  # sentences, no blank lines
        "x" * 9000,  # a single "word"
        "&" * 3000,  # each character escapes to five: entities must not be cut
        "Line one\n" * 1200,  # lines
    ],
)
def test_oversized_text_splits_without_breaking_html(text: str) -> None:
    pieces = formatting.split_text(text)
    assert len(pieces) >= 2
    shown = [visible(p) for p in pieces]
    assert re.sub(r"\s+", "", "".join(shown)) == re.sub(r"\s+", "", text)


def test_huge_passages_are_shortened_to_fit_one_message() -> None:
    sources = [
        SourceRef(n, "TIME", "2021-11-14", "T", f"Start {n} " + "é&<" * 2000) for n in (1, 2)
    ]
    html = formatting.telegram_sources(sources, expanded=True)
    text, entities = parse_telegram_html(html)
    assert len(html) <= MAX_MESSAGE
    quotes = [
        text[e["offset"] : e["offset"] + e["length"]] for e in entities if "quote" in e["type"]
    ]
    assert len(quotes) == 2
    for quote, source in zip(quotes, sources, strict=True):
        assert quote.endswith(formatting.ELLIPSIS)
        assert source.passage.startswith(quote[: -len(formatting.ELLIPSIS)])


def test_split_blocks_never_cuts_a_block() -> None:
    blocks = [f"<b>{i}</b> " + "y" * 1500 for i in range(7)]
    messages = formatting.split_blocks(blocks, separator="\n")
    assert "\n".join(messages) == "\n".join(blocks)
    assert all(len(m) <= MAX_MESSAGE for m in messages)
    with pytest.raises(ValueError):
        formatting.split_blocks(["z" * (MAX_MESSAGE + 1)])


ARTICLES = [
    ArticleInfo("a", "Pozirk", "EU diplomats <ignore> Minsk", "2024-11-15", 3),
    ArticleInfo("b", "TASS", "Poland open for talks", "2021-11-23", 2),
    ArticleInfo("c", "Pozirk", "Belarus & Warsaw", "2024-06-25", 4),
]


def test_help_says_what_the_bot_knows_and_how_to_ask() -> None:
    text = visible(formatting.help_text(ARTICLES, "news_bot"))
    assert text.startswith(
        "I answer questions from 3 news articles by Pozirk and TASS, "
        "published 23 Nov 2021 – 15 Nov 2024."
    )
    assert "@news_bot" in text and "/ask" in text and "/reset" in text
    # Two examples from the newest articles, one outlet each, the title escaped.
    assert "What did Pozirk report about “EU diplomats <ignore> Minsk”?" in text
    assert "What did TASS report about “Poland open for talks”?" in text


def test_help_stays_one_message_with_many_outlets() -> None:
    many = [
        ArticleInfo(f"d{n}", f"Outlet number {n:03d} " * 3, "T", "2024-01-01", 1)
        for n in range(500)
    ]
    html = formatting.help_text(many, "news_bot")
    assert utf16_len(visible(html)) <= MAX_MESSAGE  # parses, and fits one message
    assert "489 more outlets (see /sources)" in visible(html)


def test_sources_are_listed_by_outlet_newest_first() -> None:
    pages = formatting.split_blocks(formatting.sources_blocks(ARTICLES))
    assert [visible(p) for p in pages] == [
        "3 articles from 2 outlets\n\n"
        "Pozirk\n• 15 Nov 2024 · EU diplomats <ignore> Minsk\n• 25 Jun 2024 · Belarus & Warsaw\n\n"
        "TASS\n• 23 Nov 2021 · Poland open for talks"
    ]


def test_plain_text_fallback_reads_like_the_html() -> None:
    html = formatting.render_last("A &amp; B", [SourceRef(1, "RT", "", "<T>", "p")], expanded=True)
    assert formatting.telegram_html_as_plain(html) == visible(html)


def test_help_comes_in_the_persons_language() -> None:
    text = visible(formatting.help_text(ARTICLES, "news_bot", "ru"))
    assert text.startswith("Я отвечаю на вопросы по 3 новостным статьям")
    assert "Pozirk" in text and "TASS" in text and "@news_bot" in text and "/reset" in text
    assert "How to ask" not in text
    # The examples are questions about the (English) titles, escaped.
    assert "What did TASS report about “Poland open for talks”?" in text


def test_help_in_another_language_stays_one_message_with_many_outlets() -> None:
    many = [
        ArticleInfo(f"d{n}", f"Outlet number {n:03d} " * 3, "T", "2024-01-01", 1)
        for n in range(500)
    ]
    html = formatting.help_text(many, "news_bot", "pl")
    assert utf16_len(visible(html)) <= MAX_MESSAGE
    assert "+489 (/sources)" in visible(html)


def test_one_source_line_per_article_however_many_passages_are_cited() -> None:
    same = [
        SourceRef(1, "TIME", "2021-11-14", "Putin denies", "Morawiecki stated to PAP…"),
        SourceRef(2, "TIME", "2021-11-14", "Putin denies", "…he was cited as saying by PAP."),
        SourceRef(3, "RT", "2021-11-12", "USA, UK and EU", "Warsaw and Vilnius sent troops."),
    ]
    compact = visible(formatting.telegram_sources(same, expanded=False))
    assert compact.splitlines() == [
        "[1][2] TIME · 14 Nov 2021 · Putin denies",
        "[3] RT · 12 Nov 2021 · USA, UK and EU",
    ]
    html = formatting.telegram_sources(same, expanded=True)
    text, entities = parse_telegram_html(html)
    quotes = [
        text[e["offset"] : e["offset"] + e["length"]] for e in entities if "quote" in e["type"]
    ]
    assert quotes == [s.passage for s in same]  # every passage still quoted, verbatim, in order
