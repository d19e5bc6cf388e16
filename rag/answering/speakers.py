"""Who is speaking in a sentence, and whether it is the person a question asks about.

"What did Sergei Lavrov say after his talks with Alejnik?" against "…, Foreign Minister Siarhiej
Alejnik told reporters in Minsk on Monday following talks with his Russian counterpart Sergei
Lavrov": the sentence names Lavrov, and has the question's words, but the one it quotes is
Alejnik. A question asking what someone said is answered by a sentence in which that person
speaks; one where they are only mentioned, while another person speaks, is a near miss.

A speaker is a name just before a statement verb ("Borrell said", "Pavel Feldman stressed",
"Foreign Minister Siarhiej Alejnik told", "Radosław Sikorski, who said"), just after one
("…, said Olga Chupris", "added Vladimir Shapovalov"), or after "according to". A sentence
with no speaker found this way (a quote whose speaker is in the sentence before it) is judged
only when it talks about the person asked after "with/against/about"
(rag/lexicon/en/talked_about.txt).
"""

from __future__ import annotations

import re
from functools import cache

from rag.answering.swaps import same_name
from rag.chunking import sentences
from rag.coreference import person_names
from rag.countries import countries
from rag.lexicon import english, read_lines
from rag.normalize import STOPWORDS, fold, is_common_word, terms

# Words between a speaker's name and the verb: "Alejnik, Belarus' foreign minister, told" is
# not matched (an appositive), "Foreign Minister Siarhiej Alejnik told" is.
MAX_WORDS_BEFORE_VERB = 4
MAX_WORDS_AFTER_VERB = 3  # "said Olga Chupris", "added Vladimir Shapovalov"


@cache
def _verbs() -> re.Pattern[str]:
    body = "|".join(read_lines("en", "statement_verbs.txt"))
    return re.compile(rf"\b(?:{body})\b")


@cache
def _asking() -> re.Pattern[str]:
    """ "what did X say", "how does X describe", "what has X told": X is group `who`."""
    verbs = "|".join(read_lines("en", "speech_verbs.txt"))
    return re.compile(
        r"\b(?:what|how)\s+(?:did|does|do|has|have|had|would|will)\s+"
        rf"(?P<who>[\w’'. -]+?)\s+(?P<verb>{verbs})\b",
        re.IGNORECASE,
    )


_ACCORDING = re.compile(r"\baccording to\s+", re.IGNORECASE)
_WORD = re.compile(r"[\w’'-]+")
_POSSESSIVE = re.compile(r"\w[’']s?\b")


def asked_speaker(question: str) -> str:
    """The person whose words `question` asks for ("what did Lavrov say…" -> "Lavrov"), or ''
    when it asks no one's (a pronoun, a country, an office without a name)."""
    match = _asking().search(question)
    if not match:
        return ""
    who = match.group("who")
    if _POSSESSIVE.search(who) or set(who.casefold().split()) & STOPWORDS:
        return ""  # "the deputy chief of Lukashenko's administration": an office, no name
    if who.islower() and all(is_common_word(w) for w in who.split()):
        return ""  # "what does time say": common words typed in lower case name no one
    # "Polish Foreign Minister Zbigniew Rau": a country's word is no part of the name.
    names = person_names(" ".join(w for w in who.title().split() if not countries(w)))
    if not names or names[-1].split()[-1].casefold() in english().title_words:
        return ""  # "what did lithuanias foreign minister tell…": an office, no name
    return names[-1]


@cache
def _generic_verbs() -> frozenset[str]:
    return frozenset(read_lines("en", "generic_speech_verbs.txt"))


def asked_verb(question: str) -> str:
    """The verb by which `question` asks for someone's words in one way ("how did Rau describe
    Russia's role" -> "describe"); '' for "say", "tell" and questions asking no one's words."""
    match = _asking().search(question)
    if not match or match.group("verb").casefold() in _generic_verbs():
        return ""
    return match.group("verb").casefold()


def says_with(verb: str, sentence: str) -> bool:
    """Whether `sentence` uses `verb` in any form ("called" for "call")."""
    return bool(set(terms(verb)) & set(terms(sentence)))


def speakers(sentence: str) -> list[str]:
    """The names speaking in `sentence` (see the module)."""
    found: list[str] = []
    for verb in _verbs().finditer(sentence):
        before = _WORD.findall(sentence[: verb.start()])[-MAX_WORDS_BEFORE_VERB:]
        if before and before[-1][:1].isupper():  # "Borrell said", not "the ministry stated"
            found.extend(person_names(" ".join(before)))
        elif len(before) > 1 and before[-1] == "who" and before[-2][:1].isupper():
            # "…by Foreign Minister Radosław Sikorski, who said all crossings…"
            found.extend(person_names(" ".join(before[:-1])))
        after = sentence[verb.end() :].lstrip()
        if after[:1].isupper():  # "said Olga Chupris", not "told reporters in Minsk"
            found.extend(person_names(" ".join(_WORD.findall(after)[:MAX_WORDS_AFTER_VERB])))
    for match in _ACCORDING.finditer(sentence):
        named = re.split(r"[,;:.]", sentence[match.end() :])[0]  # up to the clause's end
        found.extend(person_names(" ".join(_WORD.findall(named)[:MAX_WORDS_AFTER_VERB])))
    return found


def mentions(person: str, sentence: str) -> bool:
    """Whether `sentence` names `person` (by surname, in any of its spellings)."""
    surname = person.split()[-1]
    return any(same_name(surname, w) for w in _WORD.findall(sentence))


def speaks(person: str, sentence: str) -> bool:
    """Whether `person` (a surname will do) is among the speakers of `sentence`."""
    surname = person.split()[-1]
    return any(same_name(surname, n.split()[-1]) for n in speakers(sentence))


def quotes_someone_else(question: str, sentence: str) -> str:
    """The person `question` asks the words of, when `sentence` names them but quotes someone
    else; '' otherwise."""
    asked = asked_speaker(question)
    if not asked:
        return ""
    if not mentions(asked, sentence):
        return ""  # not named at all: the absent-name rule's case
    if speaks(asked, sentence):
        return ""
    if speakers(sentence) or only_after_preposition(asked, sentence):
        # Someone else speaks, or the person is only talked about ("…continue to conduct a
        # dialogue with Tikhanovskaya", inside an expert's quote).
        return asked
    return ""


def only_after_preposition(person: str, sentence: str) -> bool:
    """Whether every mention of `person` (a surname will do) in `sentence` follows one of the
    prepositions of rag/lexicon/en/talked_about.txt, over the name's other capitalised words
    but no punctuation ("a dialogue with Tikhanovskaya", "talks with Sergei Lavrov"; not
    "sanctions against Minsk, Alexander Lukashenko said"): talked about, not speaking."""
    surname = person.split()[-1]
    mentioned = [m for m in _WORD.finditer(sentence) if same_name(surname, m.group(0))]
    if not mentioned:
        return False
    for mention in mentioned:
        before = _BEFORE_NAME.search(sentence[: mention.start()])
        if before is None or before.group(1).casefold() not in _talked_about():
            return False
    return True


# The word before a name and the name's other capitalised words, in one clause.
_BEFORE_NAME = re.compile(r"\b([\w’'-]+)\s+(?:[A-Z][\w’'.-]*\s+)*$")


@cache
def _talked_about() -> frozenset[str]:
    return frozenset(read_lines("en", "talked_about.txt"))


@cache
def _speech_verbs(language: str) -> re.Pattern[str] | None:
    """The verbs by which a question in `language` asks for someone's words (None: no list)."""
    try:
        verbs = read_lines(language, "speech_verbs.txt")
    except FileNotFoundError:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(verbs)})(?!\w)", re.IGNORECASE)


_ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")


def quotes_someone_else_in(question: str, language: str, gloss: str, passage: str) -> str:
    """For a question in another language ("что сказал Лавров после переговоров?"): the person
    it asks the words of, when `passage` names them but quotes only someone else; ''
    otherwise. The person is the first name of the passage the question's gloss carries."""
    verbs = _speech_verbs(language)
    if verbs is None or not verbs.search(question) or gloss.split()[:1] == ["who"]:
        return ""  # "хто казаў…" asks who spoke: the one quoted is the answer
    # "Article 4 of NATO's treaty": a capitalised common word names no one, an acronym may
    # ("што адказала НАТА…" against Morawiecki's words naming NATO).
    names = {
        fold(w): name
        for name in [*person_names(passage), *_ACRONYM.findall(passage)]
        if not all(is_common_word(w) for w in name.split())
        for w in name.split()
    }
    # The first person named: "что сказал Лавров на переговорах с Алейником" asks Lavrov's.
    person = next((names[w] for w in gloss.split() if w in names), "")
    if not person:
        return ""
    parts = sentences(passage)
    if any(speaks(person, s) for s in parts):
        return ""
    # Someone else speaks, or the person is only talked about ("…continue to conduct a
    # dialogue with Tikhanovskaya").
    named_in = [s for s in parts if mentions(person, s)]
    if any(speakers(s) for s in parts) or (
        named_in and all(only_after_preposition(person, s) for s in named_in)
    ):
        return person
    return ""
