"""Question language detection (rag/language.py) on short, mixed and transliterated inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.language import LANGUAGES, detect_language

GOLD_DIR = Path(__file__).parent.parent / "seeds" / "gold"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Russian typed in Latin letters, as in chats
        ("lukashenko granica?", "ru"),
        ("kto zakryl granicu", "ru"),
        ("skolko migrantov", "ru"),
        # ...and Ukrainian, which used to read as Russian and be answered in Russian
        ("khto zakryv kordon", "uk"),
        ("skilky mihrantiv zahynulo", "uk"),
        ("yak zakhidni susidy nazyvaiut kryzu", "uk"),
        # Belarusian in Latin letters (Łacinka), which used to read as Polish
        ("kolki mihrantaŭ pamierła za hod", "be"),
        ("kali Alejnik sustreniecca z Sikorskim", "be"),
        ("praz jakija punkty zaraz idzie ruch", "be"),  # "punkty", "zaraz" are no Ukrainian cue
        ("hw do rau n truss describe russias role", "en"),  # "Rau" ends as "migrantau" does
        ("co powiedział Łukašenka", "pl"),  # a name spelled the Belarusian way decides nothing
        # one word: a name's spelling tells the language
        ("Кузница", "ru"),
        ("Kuźnica", "pl"),
        # a foreign name inside a question: the question's words decide
        ("who closed Kuźnica?", "en"),
        ("what did Лукашенко say about the border", "en"),
        ("Что сказал Lukashenko?", "ru"),
        # the three Cyrillic languages apart
        ("Хто закрыў мяжу?", "be"),
        ("Хто закрив кордон?", "uk"),
        ("Кто закрыл границу?", "ru"),
        ("Скільки мігрантів загинуло?", "uk"),
        ("Колькі мігрантаў загінула?", "be"),
        # Polish with and without diacritics
        ("Kto zamknął granicę?", "pl"),
        ("kto zamknal przejscie w kuznicy", "pl"),
        # an English "'s" beside a name spelled with Belarusian Latin letters
        ("who's valfovič", "en"),
        # nothing to go on
        ("", "en"),
        ("2021", "en"),
        ("Terespol", "en"),
    ],
)
def test_detects_language(text, expected):
    assert detect_language(text) == expected


def _gold(name: str) -> list[dict]:
    lines = (GOLD_DIR / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# Held-out questions are never used to tune the word lists, so only the tune sets are checked here.
@pytest.mark.parametrize("item", _gold("crosslingual-tune.jsonl"), ids=lambda item: item["id"])
def test_cross_lingual_tune_questions_detected(item):
    assert detect_language(item["question"]) == item["lang"]


ENGLISH_ITEMS = [
    item
    for name in ("dev.jsonl", "tune.jsonl")
    for item in _gold(name)
    if item["kind"] != "cross-lingual"
]


@pytest.mark.parametrize("item", ENGLISH_ITEMS, ids=lambda item: item["id"])
def test_english_questions_stay_english(item):
    """Chat-style, keyword and injection questions in English must not be taken for Polish."""
    assert detect_language(item["question"]) == "en"


def test_always_a_known_language():
    for text in ("¿Dónde está?", "日本語", "Ελληνικά", "!!!", "Grenze geschlossen?"):
        assert detect_language(text) in LANGUAGES
