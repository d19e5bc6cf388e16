"""Small talk ("hi", "thanks", "who are you?") in five languages: only whole messages count,
so a greeting in front of a question leaves it a question (rag/smalltalk.py)."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from rag.smalltalk import normalise, small_talk_intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hi", "greeting"),
        ("Hello!!! 👋", "greeting"),
        ("@news_rag_test_bot hey there", "greeting"),
        ("Good morning, bot", "greeting"),
        ("Привет!", "greeting"),
        ("Прывітанне", "greeting"),
        ("Привіт 🙂", "greeting"),
        ("Cześć!", "greeting"),
        ("thanks a lot 🙏", "thanks"),
        ("Thank you very much.", "thanks"),
        ("Спасибо большое!", "thanks"),
        ("Дзякуй!", "thanks"),
        ("Дякую", "thanks"),
        ("Dziękuję bardzo", "thanks"),
        ("Who are you?", "about"),
        ("кто ты?", "about"),
        ("Хто ты?", "about"),
        ("хто ти", "about"),
        ("Kim jesteś?", "about"),
        ("What can you do?", "help"),
        ("что ты умеешь?", "help"),
        ("Што ты ўмееш?", "help"),
        ("що ти вмієш?", "help"),
        ("Co umiesz?", "help"),
        ("help", "help"),
        ("hi, thanks!", "greeting"),  # two phrases: still small talk, the first one says what
    ],
)
def test_whole_message_small_talk(text: str, intent: str) -> None:
    assert small_talk_intent(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "hi, who closed the border?",
        "Thanks! And what did Poland say?",
        "Привет, что сказала Польша?",
        "help me understand the border talks",
        "who are you voting for, Belarus?",
        "What did Belarus say about talks with Poland?",
        "bot",  # an address alone is not small talk
        "ok",
        "",
        "🙂🙂",
        "???",
    ],
)
def test_questions_and_noise_are_not_small_talk(text: str) -> None:
    assert small_talk_intent(text) is None


def test_normalise_drops_punctuation_emoji_and_mentions() -> None:
    assert normalise("  @bot  Hello,   WORLD!! 🌍 ") == "hello world"
    assert normalise("Dzień dobry") == "dzień dobry"


def test_every_language_has_every_intent() -> None:
    data = json.loads(resources.files("rag.lexicon").joinpath("smalltalk.json").read_text())
    for intent, languages in data["intents"].items():
        assert set(languages) == {"en", "ru", "be", "uk", "pl"}, intent
        for phrases in languages.values():
            # A phrase must survive normalisation, or it could never match.
            assert all(normalise(p) for p in phrases), intent
