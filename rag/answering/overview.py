"""Overviews: "what is this all about?", "summarize the TASS article", "latest news".

No language model. A news article's lead — its first passage — is written to say what the
article is about, so the overview quotes each article's lead (two passages when one article
is asked for), grouped by outlet and dated, newest first. A question that names an outlet
gets that outlet's articles only (the pipeline turns the name into a filter).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rag.answering.base import AnswerRequest, with_marker
from rag.lexicon import read_lines
from rag.normalize import fold
from rag.types import Answer, ArticleInfo, Citation, Passage

MAX_ARTICLES = 5  # articles an overview quotes, newest first
PASSAGES_FOR_ONE_ARTICLE = 2
MIN_LEAD_CHARS = 80  # shorter first passages are headlines or datelines


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(line) for line in read_lines("en", "overview.txt"))


def asks_for_overview(question: str) -> bool:
    """Whether `question` asks what the articles are about rather than one fact."""
    q = " ".join(fold(question).replace("?", " ? ").split()).replace(" ?", "?")
    return any(p.search(q) for p in _patterns())


def _is_headline(passage: Passage, article: ArticleInfo) -> bool:
    """A passage that only repeats the title (and a dateline) is no summary."""
    words = set(fold(passage.text).split())
    title = set(fold(article.title).split())
    return len(passage.text) < MIN_LEAD_CHARS or len(words - title) <= 3


def compose(
    request: AnswerRequest,
    articles: Sequence[ArticleInfo],
    passages_of: dict[str, list[Passage]],
    answerer: str,
) -> Answer:
    """The overview of `articles` (already filtered), from their first passages."""
    chosen = sorted(articles, key=lambda a: a.published, reverse=True)[:MAX_ARTICLES]
    per_article = PASSAGES_FOR_ONE_ARTICLE if len(chosen) == 1 else 1
    citations: list[Citation] = []
    lines = []
    for article in chosen:
        body = [p for p in passages_of.get(article.doc, []) if not _is_headline(p, article)]
        lead = body[:per_article]
        if not lead:
            continue
        parts = []
        for passage in lead:
            n = len(citations) + 1
            citations.append(Citation(n, passage, 1.0))
            parts.append(with_marker(" ".join(passage.text.split()), n))
        dated = f" ({article.published})" if article.published else ""
        lines.append(f"{article.outlet}{dated}: {' '.join(parts)}")
    if not lines:
        return request.declined("The articles I have do not say.", answerer)
    return Answer(
        question=request.question,
        answer="\n".join(lines),
        abstained=False,
        citations=citations,
        search_query=request.search_query,
        answerer=answerer,
        language=request.language,
    )
