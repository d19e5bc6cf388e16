"""Lexical normalisation shared by BM25, question analysis and answer checking.

Outlets spell the same names differently: Łukašenka / Lukashenka / Lukashenko,
Kuźnica / Kuznica / Kuznitsa, Alejnik / Aleinik, Ryžankoŭ / Ryzhankov. Instead of a list of
names, one transliteration rule maps every spelling to a common key: fold diacritics, then
collapse the digraphs that English, Russian-style and Polish/Belarusian Latin spellings use for
the same sound. What the rule leaves apart (a final -a/-o, typos) is closed by fuzzy matching
against the index vocabulary (see rag.lexical).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from wordfreq import zipf_frequency

from rag.lexicon import read_lines, read_table

# Letters NFKD does not decompose into ASCII + combining mark.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        # Łacinka's short u sounds like v at a syllable's end: Ryžankoŭ ~ Ryzhankov.
        "ŭ": "v",
        "Ŭ": "V",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "\u2010": "-",
        "\u2011": "-",
    }
)

# Cyrillic to Latin (Russian and Belarusian letters), so a question typed in Cyrillic still
# meets the names of the English articles: "Кузница" -> "kuznica".
_CYRILLIC = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "ґ": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "і": "i",
        "й": "j",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ў": "v",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
        "є": "ye",
        "ї": "yi",
    }
)

# Applied in order to a lower-cased, diacritic-free word.
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("shch", "sc"),
    ("sch", "s"),
    ("tsch", "c"),
    ("tch", "c"),
    ("zh", "z"),
    ("kh", "h"),
    ("ch", "c"),
    ("sh", "s"),
    ("tz", "c"),
    ("cz", "c"),
    ("sz", "s"),
    ("rz", "z"),
    ("ph", "f"),
    ("ck", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("j", "i"),
    ("y", "i"),
)

_WORD = re.compile(r"\d+(?:\.\d+)?|\w+", re.UNICODE)
_INNER_TS = re.compile(r"ts(?=\w)")
_REPEATS = re.compile(r"(\D)\1+")
_THOUSANDS = re.compile(r"(\d),(\d{3})\b")

STOPWORDS = frozenset(read_lines("en", "stopwords.txt"))  # rag/lexicon/en/stopwords.txt


def strip_accents(text: str) -> str:
    """Diacritics and typographic quotes and dashes dropped, case and script kept:
    'Łukašenka’s — Кузница' -> "Lukasenka's - Кузница"."""
    text = unicodedata.normalize("NFKC", text).translate(_SPECIAL_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=16_384)  # passages come back question after question
def fold(text: str) -> str:
    """Lower-case, strip diacritics and spell Cyrillic in Latin: 'Łukašenka’s' -> "lukasenka's"."""
    return strip_accents(text).casefold().translate(_CYRILLIC)


@lru_cache(maxsize=200_000)
def transliteration_key(word: str) -> str:
    """Common key for the spellings of one (folded) word: 'kuznitsa' and 'kuznica' -> 'kuznica'."""
    # "ts" is a consonant only inside a word (Kuznitsa); at the end it is an English plural.
    word = _INNER_TS.sub("c", word)
    for digraph, replacement in _DIGRAPHS:
        word = word.replace(digraph, replacement)
    return _REPEATS.sub(r"\1", word)


# Bump whenever `terms` changes: saved BM25 indexes built with older terms are rebuilt.
TERMS_VERSION = "7"  # also covers what rag.lexical indexes per passage

_stemmer = Stemmer.Stemmer("english")

# Irregular English verb forms the stemmer cannot relate to their base ("began" ~ "begin"):
# rag/lexicon/en/irregular_verbs.tsv.
_IRREGULAR = {
    form: base
    for base, forms in read_table("en", "irregular_verbs.tsv").items()
    for form in forms.split()
}


def words(text: str) -> list[str]:
    """Folded word tokens of `text` (no stop-word removal)."""
    text = _THOUSANDS.sub(r"\1\2", fold(text))  # 19,707 -> 19707: one token, as users type it
    return _WORD.findall(text.replace("'s", " ").replace("'", ""))


def terms(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Index terms: folded, stop words removed, stemmed, then transliteration-keyed."""
    return list(_terms(text, keep_stopwords))


@lru_cache(maxsize=16_384)
def _terms(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    tokens = [w for w in words(text) if keep_stopwords or w not in STOPWORDS]
    tokens = [_IRREGULAR.get(w, w) for w in tokens if len(w) > 1 or w.isdigit()]
    # Stem first (English morphology), then key the spelling; what stemming leaves apart in
    # names ('valfov' ~ 'valfovic') is joined by same-root expansion in rag.lexical.
    return tuple(transliteration_key(w) for w in _stemmer.stemWords(tokens))


def folded_contains(haystack: str, needle: str) -> bool:
    """Whether `needle` occurs in `haystack`, ignoring case, diacritics and spacing."""
    squash = re.compile(r"\s+")
    return squash.sub(" ", fold(needle)).strip() in squash.sub(" ", fold(haystack))


# A word at least this frequent in English (Zipf scale: "time" 6.3, "bbc" 4.6) typed in lower
# case is that word, not a name; a rarer one ("tass" 2.6, "rt" 4.0, "lavrov") is the name
# however typed.
COMMON_WORD_ZIPF = 4.5


def is_common_word(word: str) -> bool:
    """Whether `word` is a common English word rather than a name, when typed in lower case."""
    return zipf_frequency(word.casefold(), "en") >= COMMON_WORD_ZIPF
