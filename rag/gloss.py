"""A word-by-word English gloss of a question asked in another language.

There is no offline translation model (see README, "Languages"), but two things carry a
Russian, Ukrainian or Polish question over to the English articles' words:

- **names** survive transliteration, up to an inflected ending: "Фельдмана" -> feldman,
  "Szapowałowa" -> shapovalov, "Барэлем" -> borrell. Matched against the articles' own words
  by transliteration key (rag.normalize), so only words some article uses can come out;
- **common words** have a near neighbour among the articles' words in the multilingual
  embedding space: "границы" -> borders, "według" -> according, "солдатів" -> soldiers.

The gloss ("how borders between poland and belarus") is not shown to anyone: it feeds BM25, the
English dense model and the English sentence scorer, next to the multilingual vectors of the
question itself. Belarusian is not among the embedding model's languages: its words are
respelled the Russian way first (rag/lexicon/be/: letters, endings, and the unstressed о that
Belarusian writes as а, tried both ways).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

from rag.coreference import WH
from rag.lexicon import read_lines, read_table
from rag.normalize import fold, transliteration_key


@dataclass(frozen=True)
class GlossTuning:
    """Set on seeds/gold/crosslingual-tune.jsonl (retrieval hit@1/hit@5 of the gloss)."""

    # A common word is glossed by its nearest article word when their cosine reaches this.
    min_cosine: float = 0.72
    # A name: article words this long or longer may match a transliterated question word...
    min_name_chars: int = 5
    # ...whose key starts with the article word's key, give or take this many edits per
    # `chars_per_edit` letters (an unstressed vowel spelled another way: Шапавалаў/Shapovalov)...
    chars_per_edit: int = 4
    # ...and runs at most this many letters past it (a case ending: Фельдмана, Walfowicza).
    max_ending_chars: int = 3
    # Only the articles' most used words are embedded for common-word glosses (names need no
    # embedding): 30,000 words take ~20 s once and 60 MB; a five-article corpus has ~2,000.
    max_embedded_words: int = 30_000
    # A respelled variant of a word (rag/lexicon/be/respelling.tsv) is read instead of the
    # word as respelled by the fixed rules only when its nearest article word is this much
    # closer (set on crosslingual-tune's Belarusian questions).
    respelling_margin: float = 0.05
    # The hubness correction (Glossary._hub_excess): its weight, the neighbours it averages,
    # and how many article words it measures them among. Set on crosslingual-tune +
    # crosslingual-tune-2 (48 questions right of 48): none 26, weight 1.0 28, 0.5 29.
    hub_weight: float = 0.5
    hub_neighbours: int = 10
    hub_sample: int = 4_000
    # A question word matched by its letters to an article's name counts as typing that name
    # (Glossary.names) unless it is this common in its language (Zipf scale): "сейчас" (now,
    # 6.1) is no "Seimas", "Рибакова" (below 2) is Rybakov. Words the articles spell alike
    # ("путин", 5.0) count whatever their frequency.
    max_name_zipf: float = 4.0


TUNING = GlossTuning()
MAX_NEAREST_CACHED = 50_000  # words whose nearest article words are remembered
_TYPED_WORD = re.compile(r"\d+|\w+", re.UNICODE)
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")

Embed = Callable[[Sequence[str]], np.ndarray]


@lru_cache(maxsize=16)
def _letters(language: str, name: str) -> dict[int, str]:
    """A translation table from rag/lexicon/<language>/<name> (letter<TAB>letters); empty
    when the language has no such file."""
    try:
        table = read_table(language, name) if language else {}
    except FileNotFoundError:
        return {}
    return str.maketrans(table)


def respelling(language: str) -> dict[int, str]:
    """Letters of `language` respelled for the embedding model (rag/lexicon/<language>/
    embedding_letters.tsv; empty when the language needs none)."""
    return _letters(language, "embedding_letters.tsv")


@dataclass(frozen=True)
class Respelling:
    """A language's word rules for the embedding model (rag/lexicon/<language>/respelling.tsv)."""

    always: tuple[tuple[re.Pattern[str], str], ...] = ()
    variants: tuple[tuple[re.Pattern[str], str, int], ...] = ()

    def spellings(self, word: str) -> list[str]:
        """`word` after the always-rules, then one more spelling per variant rule."""
        for pattern, replacement in self.always:
            word = pattern.sub(replacement, word)
        out = [word]
        for pattern, replacement, count in self.variants:
            variant = pattern.sub(replacement, word, count=count)
            if variant not in out:
                out.append(variant)
        return out


@lru_cache(maxsize=8)
def respelling_rules(language: str) -> Respelling:
    """The word rules of `language` (none when it has no respelling.tsv)."""
    try:
        lines = read_lines(language, "respelling.tsv") if language else []
    except FileNotFoundError:
        return Respelling()
    always, variants = [], []
    for line in lines:
        kind, pattern, replacement, count = line.split("\t")
        if kind == "always":
            always.append((re.compile(pattern), replacement))
        else:
            variants.append((re.compile(pattern), replacement, int(count)))
    return Respelling(tuple(always), tuple(variants))


# A word list's English for a word glossed as nothing: "чому" (why) is no article word, and the
# model's nearest one ("whose") would change what is asked.
NO_WORD = "-"
# ...and for a why-word, which is "why" only right before another question word: the follow-up
# "почему?" searched with the question before it ("почему когда начался кризис") asks why, but
# "why" glossed in a question of its own made crosslingual-tune worse.
WHY_BEFORE_QUESTION = "-why"


@lru_cache(maxsize=8)
def fixed_glosses(language: str) -> tuple[tuple[re.Pattern[str], str, bool], ...]:
    """(word pattern, English words, whether it anchors) for the question words, money words,
    international bodies, months and countries of `language` (rag/lexicon/<language>/
    question_words.tsv, money_words.tsv, organisations.tsv, months.tsv, countries.tsv): closed
    sets the embedding model's nearest neighbours get wrong too often (сколько, денег, ООН,
    Литва, листопада). A question word says what is asked, not about what: it anchors no
    gloss (see Glossary.anchored)."""
    compiled: list[tuple[re.Pattern[str], str, bool]] = []
    # Question words match exactly ("что", not "чтобы"); months and countries with an ending.
    for name, ending, anchors in (
        ("question_words.tsv", "", False),
        ("money_words.tsv", "", True),
        ("organisations.tsv", "", True),
        ("months.tsv", r"\w{0,3}", True),
        ("countries.tsv", r"\w{0,3}", True),
    ):
        try:
            table = read_table(language, name) if language else {}
        except FileNotFoundError:
            continue
        compiled += [(re.compile(f"(?:{p}){ending}"), w.lower(), anchors) for p, w in table.items()]
    return tuple(compiled)


@lru_cache(maxsize=8)
def phrase_glosses(language: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern over lower-case words joined by one space, English words) for the terms of
    `language` (rag/lexicon/<language>/phrases.tsv) whose words glossed one by one miss their
    sense: "чрезвычайное положение" is a state of emergency, "погибло" is about deaths, "в 2021
    году" is "in 2021" (the English words may repeat a group of the pattern: "\\1")."""
    try:
        table = read_table(language, "phrases.tsv") if language else {}
    except FileNotFoundError:
        return ()
    return tuple((re.compile(rf"\b(?:{p})\b"), w.lower()) for p, w in table.items())


def _phrases(words: Sequence[str], language: str) -> dict[int, str]:
    """Word position -> the English words of the term (`phrase_glosses`) that starts there;
    a term's further words map to '' (glossed with its first)."""
    found: dict[int, str] = {}
    patterns = phrase_glosses(language)
    if not patterns:
        return found
    joined = " ".join(w.lower() for w in words)
    starts = list(itertools.accumulate((len(w) + 1 for w in words), initial=0))[:-1]
    for pattern, english in patterns:
        for match in pattern.finditer(joined):
            covered = [i for i, at in enumerate(starts) if match.start() <= at < match.end()]
            if covered and not any(i in found for i in covered):
                found[covered[0]] = match.expand(english)  # (an English "\1": the number typed)
                found.update(dict.fromkeys(covered[1:], ""))
    return found


@lru_cache(maxsize=8)
def cyrillic_letters(language: str) -> tuple[tuple[str, str], ...]:
    """(Latin letters, Cyrillic) of `language` typed in Latin letters, longest first
    (rag/lexicon/<language>/cyrillic_letters.tsv; none for languages written in Latin)."""
    try:
        table = read_table(language, "cyrillic_letters.tsv") if language else {}
    except FileNotFoundError:
        return ()
    return tuple(sorted(table.items(), key=lambda item: -len(item[0])))


def to_cyrillic(word: str, language: str) -> str:
    """A word of `language` typed in Latin letters ("litva", "miažu") spelled in Cyrillic
    ("литва", "мяжу"); '' when the language is not written in Cyrillic or the word has other
    letters than the table's."""
    letters = cyrillic_letters(language)
    lower = word.lower()
    if not letters or not lower.isalpha():
        return ""
    out, at = [], 0
    while at < len(lower):
        match = next(((lat, cyr) for lat, cyr in letters if lower.startswith(lat, at)), None)
        if match is None:
            return ""  # a Cyrillic letter, or one no table has: not a Latin-typed word
        out.append(match[1])
        at += len(match[0])
    return "".join(out)


_ENDS = re.compile(r"[\s?!.]*")  # what may follow a question's last word


def as_written(cyrillic: str, language: str) -> str:
    """A Latin-typed word's Cyrillic spelling (`to_cyrillic`, the Russian way the model reads)
    as the language's word lists write it (rag/lexicon/<language>/written_letters.tsv:
    Belarusian "жнивня" -> "жнівня", which months.tsv knows); '' stays ''."""
    letters = _letters(language, "written_letters.tsv")
    return cyrillic.translate(letters) if letters and cyrillic else cyrillic


@lru_cache(maxsize=8)
def identity_questions(language: str) -> re.Pattern[str] | None:
    """The openings of `language` that ask who someone is ("кто такой", "kim jest":
    rag/lexicon/<language>/identity_questions.txt), or None for a language without them."""
    try:
        patterns = read_lines(language, "identity_questions.txt") if language else []
    except FileNotFoundError:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


@lru_cache(maxsize=8)
def common_words(language: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(word pattern, the word the multilingual model should read) for the common words of
    `language` it places badly as typed (rag/lexicon/<language>/common_words.tsv): the
    Russian word for Ukrainian and Belarusian, which it does not have; the English word
    for Polish words it puts near unrelated ones; "-" for a word to leave out."""
    try:
        table = read_table(language, "common_words.tsv") if language else {}
    except FileNotFoundError:
        return ()
    return tuple((re.compile(p), w) for p, w in table.items())


def common_word(word: str, language: str) -> str:
    """What `common_words` has the model read for `word` ('' if nothing)."""
    lower = word.lower()
    # Belarusian writes a word's first у as ў after a vowel ("яна ўвяла"): the table has у.
    forms = (lower, "у" + lower[1:]) if lower.startswith("ў") else (lower,)
    return next(
        (w for pattern, w in common_words(language) for f in forms if pattern.fullmatch(f)), ""
    )


def fixed_gloss(word: str, language: str) -> str:
    """The English word a word list of `language` gives `word` ('' if none)."""
    return _fixed(word, language)[0]


def _fixed(word: str, language: str) -> tuple[str, bool]:
    """(`fixed_gloss`, whether it anchors the gloss)."""
    lower = word.lower()
    matches = (
        (w, anchors) for pattern, w, anchors in fixed_glosses(language) if pattern.fullmatch(lower)
    )
    return next(matches, ("", False))


# A borrowed Latin word in its Slavic and English forms: -ция/-cja/-цыя and -tion, -ссия and
# -ssion (rag/gloss.py cognate_key).
_LATIN_ENDING = re.compile(r"([cst])(?:ion|ions|ia|ii|iia|iiu|iei|iu|ie|iami|iah|iam|iiami)$")
_HARD_C = re.compile(r"c(?![ei])")  # English "c" before a, o, u or a consonant sounds "k"
_FINAL_VOWELS = re.compile(r"[aeiou]+$")


@lru_cache(maxsize=200_000)
def cognate_key(word: str) -> str:
    """One key for a word borrowed from Latin or Greek, however a language spells and inflects
    it: 'readmission', 'readmissii' (реадмиссии), 'readmisji' -> 'readmis'; 'crisis',
    'kryzys' -> 'krisis'; 'sanctions', 'sankcje' -> 'sankc'."""
    key = transliteration_key(fold(word))
    key = _LATIN_ENDING.sub(lambda m: ("c" if m.group(1) == "t" else m.group(1)) + "i", key)
    key = _HARD_C.sub("k", key).replace("z", "s").replace("kk", "k").replace("ss", "s")
    return _FINAL_VOWELS.sub("", key)


def _side_by_side(named: dict[int, str]) -> tuple[tuple[str, ...], ...]:
    """The names at word positions `named`, those at adjacent positions grouped."""
    groups: list[list[str]] = []
    last = -2
    for at in sorted(named):
        if at == last + 1:
            groups[-1].append(named[at])
        else:
            groups.append([named[at]])
        last = at
    return tuple(tuple(group) for group in groups)


class Glossary:
    """Maps words of another language to the articles' (folded) English words."""

    def __init__(
        self,
        vocabulary: Mapping[str, int],
        embed: Embed,
        tuning: GlossTuning = TUNING,
        names: frozenset[str] = frozenset(),
    ) -> None:
        """`vocabulary`: the articles' folded words with how many passages use each; `names`:
        those of them the articles write only capitalised."""
        self.tuning = tuning
        self._names = names
        self._words = sorted(w for w in vocabulary if w.isalpha() and len(w) > 1)
        self._known = frozenset(self._words)
        self._keys = [transliteration_key(w) for w in self._words]
        self._cognate_keys = [cognate_key(w) for w in self._words]
        self._common = sorted(self._words, key=lambda w: -vocabulary[w])[
            : tuning.max_embedded_words
        ]
        self._embed = embed
        self._vectors: np.ndarray | None = None
        self._hubness: np.ndarray | None = None
        self._lock = threading.Lock()
        # The search and the answerer both ask for a question's gloss: compute it once.
        self._glossed = lru_cache(maxsize=256)(self._gloss)
        self._near: dict[tuple[str, float, int], list[str]] = {}  # grows with the words asked

    def gloss(self, text: str, language: str = "") -> str:
        """`text` (in `language`) as the articles' English words, in order; words with no
        match are left out."""
        return self._glossed(text, language)[0]

    def respelled(self, text: str, language: str = "") -> str:
        """`text` with each word in the spelling the embedding model knew best (Belarusian
        the Russian way: rag/lexicon/be/); `text` itself for languages without rules."""
        return self._glossed(text, language)[1]

    def names(self, text: str, language: str = "") -> tuple[tuple[str, ...], ...]:
        """The names `text` types, each as the articles spell it, grouped as typed side by side
        ("Дмитрий Полянский" -> ("dmitry", "polyansky")): words matched by their letters
        (transliterated, maybe inflected) to a word the articles write only capitalised. Not the
        embedding model's nearest words, which are guesses."""
        return self._glossed(text, language)[3]

    def anchored(self, text: str, language: str = "") -> bool:
        """Whether some word of `text` carried over by its form (a number, a name or word
        the articles spell alike, a month or country) rather than as the embedding model's
        nearest article word: a gloss of nearest words alone is a guess."""
        return self._glossed(text, language)[2]

    def prepare(self) -> None:
        """Embed the article vocabulary (and measure its hub words) now instead of on the
        first question that needs it."""
        self._hub_excess()

    def _vocabulary_vectors(self) -> np.ndarray:
        """The articles' common words embedded once, on the first question that needs them."""
        with self._lock:
            if self._vectors is None:
                self._vectors = self._embed(self._common)
            return self._vectors

    def _gloss(
        self, text: str, language: str = ""
    ) -> tuple[str, str, bool, tuple[tuple[str, ...], ...]]:
        """(the gloss, the respelled text, whether it is anchored, the names it types: see
        `names`) of `text` in `language`.

        Numbers and words the articles already use (a transliterated name) are kept as they
        are. (Counting the unmatched words against the answer, as unknown terms, declined
        more answerable questions than unanswerable ones on crosslingual-tune.)
        """
        respell = respelling(language)
        slots: list[list[str]] = []
        unanchored: set[int] = set()  # slots holding a question word's gloss
        named: dict[int, str] = {}  # slot -> the article name its word is a form of
        # (slot, word as typed, its Cyrillic spelling or '') left to the embedding
        pending: list[tuple[int, str, str]] = []
        as_read: set[int] = set()  # slots whose pending word is common_words' reading
        originals = _TYPED_WORD.findall(text)
        # Russian or Belarusian typed in Latin letters ("kogda litva vvela…"): the word lists
        # and the multilingual model know them in Cyrillic.
        latin_typed = not _CYRILLIC_LETTER.search(text)
        cyrillic = {w: to_cyrillic(w, language) if latin_typed else "" for w in originals}
        phrases = _phrases([as_written(cyrillic[w], language) or w for w in originals], language)
        for original in originals:
            token = original.translate(respell) if respell else original
            folded = fold(token)
            slot: list[str] = []
            if len(slots) in phrases:  # a term glossed as one (rag/lexicon/<lang>/phrases.tsv)
                slot.extend(phrases[len(slots)].split())
                slots.append(slot)
                continue
            fixed, anchors = _fixed(original, language)
            if not fixed and cyrillic[original]:
                fixed, anchors = _fixed(as_written(cyrillic[original], language), language)
            if fixed:
                if fixed not in (NO_WORD, WHY_BEFORE_QUESTION):
                    slot.append(fixed)
                if not anchors:
                    unanchored.add(len(slots))
                if fixed == WHY_BEFORE_QUESTION and len(originals) > len(slots) + 1:
                    # (a question word anchors nothing; a country or a month does)
                    after = originals[len(slots) + 1]
                    following, anchoring = _fixed(after, language)
                    if (
                        following not in ("", NO_WORD, WHY_BEFORE_QUESTION) and not anchoring
                    ) or WH.fullmatch(fold(after)):
                        # ("а почему who closed kuznica": the follow-up to an English question)
                        slot.append("why")
            elif folded.isdigit() or folded in self._known:
                slot.append(folded)
                if folded in self._names:
                    named[len(slots)] = folded
            elif reading := common_word(
                as_written(cyrillic[original], language) or original, language
            ):
                # A common word ("кордоні", "мяжы", "napisała"): no name; the model reads
                # the table's word for it (none for "-").
                if reading != NO_WORD:
                    pending.append((len(slots), reading, ""))
                    as_read.add(len(slots))
            else:
                # A name the articles write capitalised before a borrowed word's match:
                # "макеем" is Makei's, not "makes".
                as_name = self.name_match(folded)
                name = as_name if as_name in self._names else self.cognate_match(folded) or as_name
                if name:
                    slot.append(name)
                    if name in self._names and self._rare(token, language):
                        named[len(slots)] = name
                if token.isalpha() and len(token) > 1:
                    pending.append((len(slots), token.lower(), cyrillic[original]))
            slots.append(slot)
        # Before the embedding's nearest words join them; a question word says what is
        # asked, not about what ("Кто выиграл чемпионат мира?" is about nothing here).
        anchored = any(slot for at, slot in enumerate(slots) if at not in unanchored)

        spelled = list(originals)
        if pending and self._words:
            rules = respelling_rules(language)
            spellings = [
                [w] if at in as_read else [*rules.spellings(w), *(rules.spellings(c) if c else [])]
                for at, w, c in pending
            ]
            neighbours = self._neighbours(spellings)
            for (at, _, _), (neighbour, spelling) in zip(pending, neighbours, strict=True):
                spelled[at] = spelling
                if neighbour and neighbour not in slots[at]:
                    slots[at].append(neighbour)
        identity = identity_questions(language)
        lower = text.strip().lower()
        opening = identity.match(lower) if identity else None
        if opening:  # "кто такой Вальфович" -> "who is valfovic"
            asked = len(_TYPED_WORD.findall(opening.group(0)))
            slots[:asked] = [["who", "is"]] + [[] for _ in range(asked - 1)]
        elif identity:
            # "Вальфовіч - хто гэта такі?" -> "valfovic who is that", as English puts it last
            closing = next(
                (m for m in identity.finditer(lower) if _ENDS.fullmatch(lower[m.end() :])), None
            )
            if closing and closing.start() > 0:
                at = len(_TYPED_WORD.findall(lower[: closing.start()]))
                asked = len(_TYPED_WORD.findall(closing.group(0)))
                slots[at : at + asked] = [["who", "is", "that"]] + [[] for _ in range(asked - 1)]
        gloss = " ".join(w for slot in slots for w in slot)
        names = _side_by_side(named)
        if any(cyrillic.values()):
            # The multilingual model reads the whole question in Cyrillic, not half of it.
            return gloss, " ".join(cyrillic[w] or w for w in originals), anchored, names
        if not respell and not respelling_rules(language).always:
            return gloss, text, anchored, names
        return gloss, " ".join(spelled), anchored, names

    def _rare(self, word: str, language: str) -> bool:
        """Whether `word` is rare enough in `language` to be a name (GlossTuning.max_name_zipf)."""
        return zipf_frequency(word.lower(), language or "en") < self.tuning.max_name_zipf

    def nearest(self, words: Sequence[str], min_cosine: float, limit: int) -> dict[str, list[str]]:
        """For each of `words`, up to `limit` article words nearest to it in the multilingual
        space, each at least `min_cosine` close, nearest first: the words an article might use
        for an English word it never uses ("image" -> pictures, "damage" -> harm)."""
        words = list(dict.fromkeys(words))
        missing = [w for w in words if (w, min_cosine, limit) not in self._near]
        if missing and self._common:
            if len(self._near) > MAX_NEAREST_CACHED:
                self._near.clear()
            vectors = self._vocabulary_vectors()
            sims = self._embed(missing) @ vectors.T  # one embedding call for all of them
            for word, row in zip(missing, sims, strict=True):
                best = np.argpartition(-row, min(limit, len(row) - 1))[:limit]
                best = best[np.argsort(-row[best])]
                self._near[(word, min_cosine, limit)] = [
                    self._common[i] for i in best if row[i] >= min_cosine
                ]
        return {w: list(self._near.get((w, min_cosine, limit), [])) for w in words}

    def name_match(self, word: str) -> str:
        """The article word of which (folded) `word` is a transliterated, maybe inflected,
        form ('' if none)."""
        return self._closest(transliteration_key(word), self._keys)

    def cognate_match(self, word: str) -> str:
        """The article word of which (folded) `word` is the same borrowed word in another
        language's form ('' if none): рэадмісіі / readmission, sankcje / sanctions."""
        return self._closest(cognate_key(word), self._cognate_keys)

    def _closest(self, key: str, keys: Sequence[str]) -> str:
        """The article word whose key (in `keys`, one per article word) `key` starts with,
        give or take an edit per TUNING.chars_per_edit letters, before an inflected ending."""
        t = self.tuning
        if len(key) < t.min_name_chars or not key.isalpha():
            return ""
        limit = len(key) // t.chars_per_edit
        best, best_cost = "", None
        for candidate, _distance, index in process.extract(
            key,
            keys,
            scorer=Levenshtein.distance,
            score_cutoff=limit + t.max_ending_chars,
            limit=12,
        ):
            extra = len(key) - len(candidate)
            if len(candidate) < t.min_name_chars or not 0 <= extra <= t.max_ending_chars:
                continue
            cost = Levenshtein.distance(key[: len(candidate)], candidate)
            # On a tie, a name the articles write capitalised: a word matched by its letters
            # alone is more often a transliterated name than a common word
            rank = (cost, extra, self._words[index] not in self._names)
            if cost <= len(candidate) // t.chars_per_edit and (
                best_cost is None or rank < best_cost
            ):
                best, best_cost = self._words[index], rank
        return best

    def _hub_excess(self) -> np.ndarray:
        """How much closer than usual each article word sits to its nearest article words.

        Some words ("thwarted") are near everything in the multilingual space and come out
        as the nearest word of many unrelated ones (хто, отримали, Держдепу): their cosines
        are discounted by this much (the hubness correction of cross-lingual word retrieval,
        CSLS). Measured against a sample of the vocabulary, so a big corpus costs little.
        """
        vectors = self._vocabulary_vectors()
        with self._lock:
            if self._hubness is None:
                t = self.tuning
                sample = vectors[:: max(1, len(vectors) // t.hub_sample)]
                k = min(t.hub_neighbours, len(sample) - 1)
                if k < 1:
                    self._hubness = np.zeros(len(vectors), dtype=np.float32)
                else:
                    hub = np.empty(len(vectors), dtype=np.float32)
                    for start in range(0, len(vectors), 2048):
                        sims = vectors[start : start + 2048] @ sample.T
                        # the k nearest after the word itself (it may be in the sample)
                        top = np.sort(np.partition(sims, -(k + 1), axis=1)[:, -(k + 1) :], axis=1)
                        hub[start : start + 2048] = top[:, :-1].mean(axis=1)
                    self._hubness = np.maximum(hub - float(np.median(hub)), 0.0)
            return self._hubness

    def _neighbours(self, spellings: list[list[str]]) -> list[tuple[str, str]]:
        """For each word (given as its spellings), the nearest article word by multilingual
        cosine, less the word's hub excess, over all its spellings ('' below the bar), and the
        spelling that reached it."""
        vectors = self._vocabulary_vectors()
        flat = [s for group in spellings for s in group]
        sims = self._embed(flat) @ vectors.T - self.tuning.hub_weight * self._hub_excess()
        best_word = sims.argmax(axis=1)
        best_sim = sims[np.arange(len(flat)), best_word]
        out, at = [], 0
        for group in spellings:
            # Another spelling must beat the word as typed by a margin: with several tries,
            # one lands near some unrelated article word by chance.
            row = max(
                range(at, at + len(group)),
                key=lambda r: best_sim[r] - (self.tuning.respelling_margin if r > at else 0.0),
            )
            at += len(group)
            near = self._common[best_word[row]] if best_sim[row] >= self.tuning.min_cosine else ""
            out.append((near, flat[row]))
        return out
