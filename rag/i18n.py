"""The words around an answer in the user's language: message catalogs rag/messages/<lang>.json.

Quoted passages stay verbatim English; the declines, labels, notes and the bot's texts come from
these catalogs, shared by the CLI and the bot. A catalog maps a key to a `str.format` template,
or, for text that agrees with a number, to its plural forms by CLDR category ("one", "few",
"many", "other"), picked by the `count` field. Fields are inserted as given: HTML-escape them
first where the text goes out as HTML.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "ru", "be", "uk", "pl")
DEFAULT_LANGUAGE = "en"
MESSAGES_DIR = Path(__file__).with_name("messages")
# The plural categories each language needs for whole numbers (CLDR).
PLURAL_FORMS = {
    "en": ("one", "other"),
    "ru": ("one", "few", "many"),
    "be": ("one", "few", "many"),
    "uk": ("one", "few", "many"),
    "pl": ("one", "few", "many"),
}

Template = str | dict[str, str]


def language_or_default(code: str | None) -> str:
    """One of LANGUAGES for a code such as Telegram's language_code ("ru", "pt-br"), else "en"."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def plural_category(lang: str, n: int) -> str:
    """The CLDR plural category of the whole number `n` in `lang`."""
    n = abs(int(n))
    if lang == "en":
        return "one" if n == 1 else "other"
    few = n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14)
    if lang == "pl":
        return "one" if n == 1 else "few" if few else "many"
    # ru, be, uk
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    return "few" if few else "many"


@lru_cache(maxsize=len(LANGUAGES))
def catalog(lang: str) -> dict[str, Template]:
    """The messages of `lang` (one of LANGUAGES), read once from rag/messages/<lang>.json."""
    return json.loads((MESSAGES_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def message(key: str, lang: str, **fields: object) -> str:
    """The message `key` in `lang` with `fields` filled in; English for an unknown language.

    A plural message needs the `count` field. An unknown key raises KeyError (a programming
    error, caught by the catalog tests).
    """
    lang = language_or_default(lang)
    template = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE)[key]
    if isinstance(template, dict):
        count = fields.get("count")
        if not isinstance(count, int):
            raise TypeError(f"message {key!r} has plural forms: pass count=<int>")
        template = template[plural_category(lang, count)]
    return template.format(**fields)


def join_names(names: Sequence[str], lang: str, conjunction: str = "or") -> str:
    """'A', 'A or B', 'A, B or C' in `lang`; `conjunction` is "or" or "and"."""
    word = message(f"join.{conjunction}", lang)
    if len(names) <= 2:
        return f" {word} ".join(names)
    return ", ".join(names[:-1]) + f" {word} {names[-1]}"


def date_text(published: str, lang: str) -> str:
    """'2024-06-25' as '25 Jun 2024' or '25 июня 2024'; an odd date as is, none as unknown."""
    published = published.strip()
    if not published:
        return message("date.unknown", lang)
    try:
        day = date.fromisoformat(published)
    except ValueError:
        return published
    month = message(f"month.{day.month}", lang)
    return message("date.format", lang, day=day.day, month=month, year=day.year)
