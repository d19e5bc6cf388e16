"""Recognise small talk ("hi", "thanks", "who are you?"): whole messages that are not a
question about the news. The phrases are data: ``rag/lexicon/smalltalk.json`` (en, ru, be,
uk, pl). A message is small talk only when all of it is such a phrase, so "hi, who closed
the border?" is a question."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib import resources

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
    data = json.loads(resources.files("rag.lexicon").joinpath("smalltalk.json").read_text("utf-8"))
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
