"""Message catalogs (rag/messages/*.json): complete in every language, placeholders and markup
as in English, plural forms right, English for a language we do not have."""

from __future__ import annotations

import re
import string
from collections import Counter

import pytest

from rag.i18n import (
    LANGUAGES,
    PLURAL_FORMS,
    catalog,
    date_text,
    join_names,
    language_or_default,
    message,
)
from rag.language import detect_language

ENGLISH = catalog("en")
OTHERS = [lang for lang in LANGUAGES if lang != "en"]
# Text that stays the same in every language: commands, variables, code.
UNTRANSLATED = re.compile(r"\{[^}]*\}|/\w+|`[^`]*`|TELEGRAM_ALLOWED_IDS|Ctrl-D|\bid\b|<[^>]+>")


def _forms(template) -> list[str]:
    return list(template.values()) if isinstance(template, dict) else [template]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _tags(text: str) -> Counter:
    return Counter(re.findall(r"</?\w+[^>]*>", text))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_in_every_language(lang):
    keys = set(catalog(lang))
    assert not set(ENGLISH) - keys, f"{lang}.json lacks {sorted(set(ENGLISH) - keys)}"
    assert not keys - set(ENGLISH), (
        f"{lang}.json has keys English lacks: {sorted(keys - set(ENGLISH))}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", sorted(ENGLISH))
def test_placeholders_markup_and_plural_forms_match_english(lang, key):
    template, english = catalog(lang)[key], ENGLISH[key]
    assert isinstance(template, dict) == isinstance(english, dict), "plural in one, not the other"
    if isinstance(template, dict):
        assert tuple(sorted(template)) == tuple(sorted(PLURAL_FORMS[lang])), "plural forms"
    wanted_fields = _fields(_forms(english)[0])
    wanted_tags = _tags(_forms(english)[0])
    for form in _forms(template):
        assert _fields(form) == wanted_fields, f"placeholders of {key!r} in {lang}"
        assert _tags(form) == wanted_tags, f"HTML tags of {key!r} in {lang}"
        assert form.strip(), "empty message"


@pytest.mark.parametrize("lang", OTHERS)
def test_sentences_are_translated_into_that_language(lang):
    """Longer messages read as their language (by the question detector), not left in English."""
    for key, template in catalog(lang).items():
        for form in _forms(template):
            text = UNTRANSLATED.sub(" ", form)
            if len(text.split()) >= 5:
                assert detect_language(text) == lang, f"{key!r} in {lang}: {form!r}"


def test_russian_decline_is_in_russian():
    assert message("decline.generic", "ru").startswith(
        "В статьях, которые у меня есть, об этом не говорится."
    )
    names = join_names(["Германия", "2023"], "ru")
    assert message("decline.unknown_names", "ru", names=names) == (
        "В статьях, которые у меня есть, нет упоминаний об этом (Германия или 2023), "
        "поэтому ответить я не могу."
    )


def test_unknown_language_falls_back_to_english():
    assert message("passages.show", "de") == "Show passages"
    assert message("passages.show", "") == "Show passages"
    assert message("passages.show", "ru") == "Показать фрагменты"


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("be", "be"),
        ("uk", "uk"),
        ("pl", "pl"),
        ("en-GB", "en"),
        ("pt-br", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_telegram_language_codes(code, lang):
    assert language_or_default(code) == lang


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 1, "up to 1 question a minute"),
        ("en", 5, "up to 5 questions a minute"),
        ("ru", 1, "не больше 1 вопроса"),
        ("ru", 21, "не больше 21 вопроса"),
        ("ru", 3, "не больше 3 вопросов"),
        ("ru", 12, "не больше 12 вопросов"),
        ("uk", 2, "не більше 2 питань"),
        ("be", 2, "не больш за 2 пытанні"),
        ("be", 5, "не больш за 5 пытанняў"),
        ("pl", 1, "najwyżej 1 pytanie"),
        ("pl", 2, "najwyżej 2 pytania"),
        ("pl", 22, "najwyżej 22 pytania"),
        ("pl", 5, "najwyżej 5 pytań"),
        ("pl", 12, "najwyżej 12 pytań"),
    ],
)
def test_plural_forms_agree_with_the_number(lang, count, expected):
    assert expected in message("bot.rate_limit", lang, count=count, wait=7)


def test_plural_message_needs_a_count():
    with pytest.raises(TypeError, match="count"):
        message("bot.rate_limit", "ru", wait=7)


def test_dates_and_lists_in_each_language():
    assert date_text("2024-06-25", "en") == "25 Jun 2024"
    assert date_text("2021-11-08", "ru") == "8 ноября 2021"
    assert date_text("2021-11-08", "be") == "8 лістапада 2021"
    assert date_text("2021-11-08", "pl") == "8 listopada 2021"
    assert date_text("", "uk") == "дата невідома"
    assert date_text("late 2021", "uk") == "late 2021"
    assert join_names(["Pozirk", "RT", "TASS"], "pl", "and") == "Pozirk, RT i TASS"
    assert join_names(["Pozirk"], "ru") == "Pozirk"


def test_help_text_fills_in_in_every_language():
    for lang in LANGUAGES:
        summary = message(
            "corpus.summary",
            lang,
            count=5,
            outlets=join_names(["<b>Pozirk</b>", "<b>TASS</b>"], lang, "and"),
            published=message("corpus.published_between", lang, first="12 Nov", last="15 Nov"),
        )
        text = message(
            "bot.help",
            lang,
            summary=summary,
            show_passages=message("passages.show", lang),
            mention="@news_bot",
        )
        assert "5" in summary and "Pozirk" in summary and "@news_bot" in text
        assert message("passages.show", lang) in text
