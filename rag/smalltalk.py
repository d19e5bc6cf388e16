"""Recognise small talk ("hi", "thanks", "who are you?"): whole messages that are not a
question about the news. The phrases are data: ``rag/lexicon/smalltalk.json`` (en, ru, be,
uk, pl). A message is small talk only when all of it is such a phrase, so "hi, who closed
the border?" is a question."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache

from rag.i18n import date_text, join_names, message
from rag.lexicon import read_json
from rag.types import ArticleInfo

#: Letters, digits and apostrophes survive normalisation; everything else separates words.
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_MENTION = re.compile(r"@\w+")


def normalise(text: str) -> str:
    """Lower-cased words separated by single spaces: punctuation, emoji and @mentions go."""
    text = unicodedata.normalize("NFC", _MENTION.sub(" ", text)).casefold()
    return " ".join(_WORD.findall(text))


@cache
def _lexicon() -> tuple[dict[str, str], frozenset[str]]:
    """(phrase -> intent, filler words), over every language."""
    data = read_json("smalltalk.json")
    phrases = {
        normalise(phrase): intent
        for intent, languages in data["intents"].items()
        for words in languages.values()
        for phrase in words
    }
    fillers = frozenset(normalise(w) for words in data["fillers"].values() for w in words)
    return phrases, fillers


def small_talk_intent(text: str) -> str | None:
    """The small-talk intent of a whole message ("greeting", "thanks", "about", "help"), or
    None when it is (or contains) anything else, e.g. a question."""
    phrases, fillers = _lexicon()
    words = normalise(text).split()
    if not words:
        return None
    intents: list[str] = []
    start = 0
    # Greedy longest match from the left: every word must belong to a phrase or a filler.
    while start < len(words):
        for end in range(len(words), start, -1):
            piece = " ".join(words[start:end])
            if piece in phrases:
                intents.append(phrases[piece])
                break
            if piece in fillers:
                break
        else:
            return None
        start = end
    # "hi, thanks" is still small talk; the first intent says what the message is.
    return intents[0] if intents else None


def example_questions(articles: Sequence[ArticleInfo], count: int = 2) -> list[str]:
    """Questions the index can answer, made from its newest articles' titles, one outlet each
    (as many different outlets as there are, up to ``count``)."""
    newest = sorted(articles, key=lambda a: (a.published, a.title), reverse=True)
    picked: list[ArticleInfo] = []
    for article in newest:  # one per outlet first, then any
        if article.title.strip() and article.outlet not in {p.outlet for p in picked}:
            picked.append(article)
    picked += [a for a in newest if a.title.strip() and a not in picked]
    return [
        f"What did {a.outlet.strip() or 'the article'} report about “{a.title.strip()}”?"
        for a in picked[:count]
    ]


def corpus_summary(
    articles: Sequence[ArticleInfo], lang: str, max_outlets: int | None = None
) -> str:
    """One plain sentence: how many articles, from which outlets, over which dates.

    Past `max_outlets` outlets, the rest are counted ("+489 (/sources)"), not named.
    """
    if not articles:
        return message("corpus.empty", lang)
    outlets = sorted({a.outlet.strip() or "?" for a in articles}, key=str.casefold)
    if max_outlets is not None and len(outlets) > max_outlets:
        more = len(outlets) - max_outlets + 1
        outlets = [*outlets[: max_outlets - 1], f"+{more} (/sources)"]
    dates = sorted(a.published for a in articles if a.published)
    published = ""
    if dates:
        first, last = date_text(dates[0], lang), date_text(dates[-1], lang)
        published = (
            message("corpus.published_on", lang, date=first)
            if first == last
            else message("corpus.published_between", lang, first=first, last=last)
        )
    return message(
        "corpus.summary",
        lang,
        count=len(articles),
        outlets=join_names(outlets, lang, "and"),
        published=published,
    )


def reply(intent: str, lang: str, articles: Sequence[ArticleInfo]) -> str:
    """The answer to small talk: friendly, and saying what the articles are about."""
    if intent == "thanks":
        return message("smalltalk.thanks", lang)
    examples = " ".join(example_questions(articles))
    key = "smalltalk.greeting" if intent == "greeting" else "smalltalk.about"
    return message(key, lang, summary=corpus_summary(articles, lang), examples=examples)
