"""Conversations: what a follow-up question means, and what a conversation remembers.

A follow-up leans on the turns before it. "whats his name?" after an answer naming
Bychkovsky, "when did that happen?", "and what did Poland say?": the search must carry the
previous question's topic *and* the names the previous answer gave, while the follow-up's own
question word decides what kind of answer is wanted. `rag chat`, `rag ask --batch`, `rag eval`
and the bot all resolve follow-ups here and remember turns the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

from rag.answering.extractive import identity_name
from rag.answering.question import QType, analyse, focus_question, is_follow_up
from rag.config import DEFAULT_HISTORY_TURNS
from rag.coreference import (
    NAME,
    PERSON_PRONOUN,
    WH,
    elliptic_target,
    has_person_pronoun,
    person_names,
    resolve_country_possessive,
    resolve_person,
    resolve_plural,
    swap_country,
    swap_office,
    swap_person,
)
from rag.ellipsis import swap_date, without_replaced_details
from rag.language import detect_language
from rag.lexicon import english, expand_chat_words, read_json, read_lines
from rag.normalize import STOPWORDS, is_common_word, terms
from rag.quotes import cites, without_markers
from rag.rephrasing import (
    embedded_question_first,
    idioms_as_words,
    list_as_which,
    ministry_head_as_minister,
    opinion_as_statement,
    without_account_clause,
)
from rag.smalltalk import normalise
from rag.types import Turn

MAX_CARRIED_NAMES = 3  # names of the previous answer a pronoun may stand for
# A follow-up whose pronoun is replaced stands alone with this many words of its own
# ("expect", "eu", "belarus"); "whats his name" keeps the previous question's topic.
MIN_OWN_TERMS = 3
_META_TERMS = frozenset({"name", "call", "say", "said", "tell"})
# A question's frame, not what it asks about: question words, prepositions, speech verbs.
_FRAME_TERMS = (
    frozenset(
        terms(
            " ".join(
                [*read_lines("en", "question_words.txt"), *read_lines("en", "prepositions.txt")]
            )
        )
    )
    | _META_TERMS
)
# What asking for an outlet's account says besides its name: "what does RT report about it"
_ACCOUNT_TERMS = frozenset(
    t for w in [*read_lines("en", "speech_verbs.txt"), "according"] for t in terms(w)
)

_PRONOUN = re.compile(
    r"\b(he|she|him|his|her|hers|they|them|their|it|its|that|this|these|those|there|then)\b",
    re.IGNORECASE,
)
_THING_PRONOUN = re.compile(r"\b(it|its|that|this|these|those|there|then)\b", re.IGNORECASE)

_WORD = re.compile(r"\w+")
# "TIME (2021-11-14): …": an answer's line naming its outlet, no one a pronoun means
_DATELINE = re.compile(r"^[^\n:]{1,60} \(\d{4}-\d{2}-\d{2}\): ", re.MULTILINE)


def _sentence(text: str) -> str:
    """One clause for the search: no question marks to split on, no citation markers."""
    return without_markers(text).replace("?", " ").strip(" .")


def answer_names(answer: str, known: str) -> list[str]:
    """Names the previous answer gave that the conversation has not said already."""
    plain = english().plain_capitals
    names: list[str] = []
    for m in NAME.finditer(without_markers(answer)):
        name = " ".join(w for w in m.group(0).split() if w not in plain)
        if name and name.lower() not in " ".join([known, *names]).lower():
            names.append(name)
    return names[:MAX_CARRIED_NAMES]


# Where a common word typed in lower case is an outlet's name ("according to time", "what
# does time say", "time's report", "(the time one)" closing a chat question): {name} is the
# name's pattern.
_AS_SOURCE = (
    r"(?:\baccording\s+to|\bper|\b(?:does|did|do))\s+(?:the\s+)?(?P<name>{name})(?!\w)"
    r"|(?<!\w)(?P<name2>{name}(?:[’']s)?)\s+(?:magazine\b|says?\b|said\b|reports?\b|"
    r"reported\b|writes\b|wrote\b|article\b|story\b|piece\b|account\b)"
    r"|\b(?P<name3>the\s+{name}\s+one)\b(?=\s*(?:[),.;:?!]|$))"
)


def _outlet_mentions(text: str, outlet: str) -> list[tuple[int, int]]:
    """Where `text` names `outlet` (its name, with a possessive). A rare name counts however
    typed ("tass", "pozirk"); one that is a common word (TIME) as typed in capitals, or in
    lower case where it stands as a source ("according to time"), so that "what time…" is
    not a question about TIME."""
    name = re.escape(outlet)
    anywhere = rf"(?<!\w){name}(?:[’']s)?(?!\w)"
    if not (outlet.isupper() and is_common_word(outlet)):
        return [m.span() for m in re.finditer(anywhere, text, re.IGNORECASE)]
    spans = [m.span() for m in re.finditer(anywhere, text)]
    for m in re.finditer(_AS_SOURCE.format(name=name), text, re.IGNORECASE):
        group = next(g for g in ("name", "name2", "name3") if m.group(g))
        spans.append(m.span(group))
    merged: list[tuple[int, int]] = []  # "does TIME’s…" is found twice, once without the 's
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def named_outlets(question: str, outlets: Sequence[str]) -> tuple[str, ...]:
    """The outlets `question` names ("what does TASS say?", "and tass?", "according to
    time"), as the index spells them (see `_outlet_mentions`)."""
    return tuple(
        outlet
        for outlet in outlets
        if outlet and outlet != "unknown" and _outlet_mentions(question, outlet)
    )


def without_outlets(query: str, outlets: Sequence[str]) -> str:
    """`query` without the names of `outlets`, which the search is already restricted to:
    "what does TASS say about it" looks in TASS's articles for what they say about it, and an
    outlet's name stands in its datelines ("WARSAW, November 23. /TASS/."), not its reports.
    `query` itself when nothing but the names would be left."""
    stripped = query
    for outlet in outlets:
        for start, end in reversed(_outlet_mentions(stripped, outlet)):
            stripped = f"{stripped[:start]} {stripped[end:]}"
    stripped = " ".join(stripped.split())
    return stripped if re.search(r"\w", stripped) else query


def standalone_query(
    question: str, history: Sequence[Turn], truecase: Callable[[str], str] | None = None
) -> str:
    """What to search for: the question sentence itself (not text around it), chat spellings
    spelled out ("wat" -> "what"), names typed in lower case capitalised by `truecase` (the
    index's: rag.lexical), and a follow-up resolved against the turns before it.

    - A follow-up with its own question word ("when did that happen?") keeps it first, so it
      decides the kind of answer, followed by the previous question's topic.
    - An elliptic one ("and via Latvia?") extends the previous question.
    - A pronoun ("his", "that", "they") also brings the names the previous answer gave.
    - The previous question is taken as it was resolved itself, so a chain of follow-ups
      keeps the conversation's topic.
    """
    question = focus_question(question)
    if detect_language(question) == "en":  # Polish "w" is not chat for "with"
        question = idioms_as_words(
            embedded_question_first(
                opinion_as_statement(
                    list_as_which(
                        ministry_head_as_minister(
                            without_account_clause(expand_chat_words(question))
                        )
                    )
                )
            )
        )
        if truecase is not None:  # "who is valfovic" -> "Valfovic", whom a "he" may mean
            question = truecase(question)
    history = without_source_turns(history)
    if not history or not (is_follow_up(question) or has_person_pronoun(question)):
        return question
    previous = history[-1]
    # The previous turn as it was searched: "why?" after "why?" still knows the topic.
    topic = _sentence(standalone_query(previous.question, history[:-1], truecase))
    if detect_language(question) == "en":
        parallel = completed_parallel(_sentence(question), topic)
        if parallel:
            return " ".join(parallel.split())
        substituted = _substitute(_sentence(question), topic, previous)
        if substituted:
            return " ".join(substituted.split())
    # A month, year or outlet the follow-up names replaces the topic's ("what was the figure
    # in their November report?" after "…per Pozirk in June").
    topic = without_replaced_details(topic, question)
    # Another language's follow-up mostly has its own question word ("а когда…", "a kim…").
    if WH.search(question) or detect_language(question) != "en":
        query = f"{_sentence(question)} {topic}"
    else:
        query = f"{topic} {_sentence(question)}"
    if _PRONOUN.search(question) and cites(previous.answer):  # not after a decline
        names = answer_names(previous.answer, query)
        if names:
            query = f"{query} {' '.join(names)}"
    return " ".join(query.split())


# "what does TASS say…", "and what did RT report…": asking for an outlet's account
_ASKS_AN_ACCOUNT = re.compile(
    r"^\s*(?:and\s+|so\s+)?what\s+(?:does|did|do)\s+\S+(?:\s+\S+)?\s+"
    r"(?:say|said|report|write|claim|think)\b",
    re.IGNORECASE,
)


# What is left of "what about TIME?", "and in RT?", "how about per TASS" without the outlet.
_BARE_OUTLET_REST = re.compile(
    r"^\W*(?:(?:and|so|ok|okay|but)\W+)?(?:(?:what|how)\s+(?:about|abt)\W*)?"
    r"(?:(?:in|per|from|at|on|according\s+to)\W+)?(?:the\W+)?"
    r"(?:(?:article|piece|report|story|one|version)\W*)?$",
    re.IGNORECASE,
)


def only_names_outlets(question: str, outlets: Sequence[str]) -> bool:
    """Whether `question` asks nothing but the previous question again, in `outlets`' articles
    ("what about TIME?", "and in RT?")."""
    return bool(outlets) and bool(_BARE_OUTLET_REST.match(without_outlets(question, outlets)))


def stands_alone_in_outlet(question: str, outlets: Sequence[str]) -> bool:
    """Whether a question naming `outlets` asks something of its own there ("what does TASS
    say about when it escalated", "when did it escalate per RT"): a question word and a word
    besides the outlet, pronouns and speech verbs, so the outlet's articles are searched for
    it alone rather than joined to the previous question ("what does RT say about it?" is
    joined)."""
    if not outlets or _ASKS_AN_ACCOUNT.match(question):
        return False  # "what does TASS say about the numbers": the numbers just discussed
    own = without_outlets(question, outlets)
    if not WH.search(own):
        return False
    content = [
        t for t in terms(_PRONOUN.sub(" ", own)) if t not in _META_TERMS and t not in _ACCOUNT_TERMS
    ]
    return bool(content)


_PARALLEL = re.compile(r"^\s*(?:and|but|so)\s+(?P<asked>.+?)\W*$", re.IGNORECASE)
MAX_PARALLEL_WORDS = 8  # "and who does RT's expert blame": a short question, cut short


def completed_parallel(question: str, topic: str) -> str:
    """ "and who does RT's expert blame" after "who does Lukashenko blame for the migrant
    crisis" as "who does RT's expert blame for the migrant crisis": a follow-up asking the
    previous question of someone else, ending where it did; '' when it is not of that form
    (the same question word opens both, and its last word is the previous question's, which
    went on after it)."""
    match = _PARALLEL.match(question)
    if not match:
        return ""
    asked = match.group("asked")
    words = asked.split()
    opening = WH.match(asked)
    if not opening or len(words) > MAX_PARALLEL_WORDS or len(words) < 3:
        return ""
    last = words[-1].casefold()
    if last in STOPWORDS or not last.isalpha():
        return ""
    previous = topic.split()
    at = [i for i, w in enumerate(previous) if w.strip(",.?!").casefold() == last]
    # the same opening, question word and the word after it: "who does" / "who does"
    # ("how many did" is not "how many migrants")
    n = 3 if words[0].casefold() == "how" else 2
    opening_words = [w.casefold() for w in words[:n]]
    opened = [
        i
        for i in range(len(previous) - n + 1)
        if [w.casefold() for w in previous[i : i + n]] == opening_words
    ]
    if not at or not opened or opened[0] >= at[-1] or at[-1] == len(previous) - 1:
        return ""
    return f"{asked} {' '.join(previous[at[-1] + 1 :])}"


def completes_previous(
    question: str, history: Sequence[Turn], truecase: Callable[[str], str] | None = None
) -> bool:
    """Whether `question` asks the previous question of someone else (`completed_parallel`)."""
    turns = without_source_turns(history)
    if not turns or detect_language(question) != "en":
        return False
    topic = _sentence(standalone_query(turns[-1].question, turns[:-1], truecase))
    return bool(completed_parallel(_sentence(question), topic))


def _substitute(question: str, topic: str, previous: Turn) -> str:
    """The follow-up rewritten as a question of its own by substitution (rag.coreference),
    or '' when joining it to the previous question is the better guess."""
    target = elliptic_target(question)
    if target:  # "and Lithuania's?", "what about Shapovalov?"
        return (
            swap_country(topic, target)
            or swap_person(topic, target)
            or swap_office(topic, target)
            or swap_date(topic, target)
        )
    antecedents = person_names(topic)
    answered: list[str] = []
    if cites(previous.answer):  # not after a decline
        # "Vladimir Makei" in the answer is the "Makei" the question named, not a new name,
        # whether it was typed capitalised or not ("who did makei speak with").
        named = {w.casefold() for w in _WORD.findall(topic)}
        answered = [
            n
            for n in person_names(_DATELINE.sub("", without_markers(previous.answer)))
            if n.split()[-1].casefold() not in named  # by surname: "Foreign Minister" is no name
        ]
    own = [t for t in terms(PERSON_PRONOUN.sub(" ", question)) if t not in _META_TERMS]
    asked_who = identity_name(topic) if cites(previous.answer) else ""
    if asked_who:
        # "who is Blaszczak?" holds nothing but him, whoever else its answer names: "what
        # did he say" asks what Blaszczak said.
        return resolve_person(question, [asked_who])
    # After "who did Makei speak with?" (answered: Borrell), "what did he tweet?" is about
    # the person the answer named and stands alone once he is named; the previous topic
    # follows when the follow-up has no word of its own ("whats his name?") or an "it" that
    # stands for it ("when did he say it?").
    if answered and analyse(topic).qtype == QType.PERSON:
        resolved = resolve_person(question, [*answered, *antecedents])
        if resolved and identity_name(resolved):  # "who is she" asks who Chupris is, no more
            return resolved
        if resolved and (not own or _THING_PRONOUN.search(resolved)):
            return f"{resolved} {topic}"
        return resolved
    plural = resolve_plural(question, topic)
    if plural:
        # "how many of them did Belarus say were at the border" stands alone; "how many of
        # them via Poland" keeps what they were counted of ("…in 2024 by late June").
        content = [t for t in terms(question) if t not in _FRAME_TERMS]
        return plural if len(content) >= MIN_OWN_TERMS - 1 else f"{plural} {topic}"
    resolved = resolve_person(question, [*antecedents, *answered]) or resolve_country_possessive(
        question, previous.question
    )
    # "what does he expect the EU to do?" and "who is he?" stand alone once he is named;
    # "whats his name?" asks about the previous answer and keeps its topic.
    return resolved if len(own) >= MIN_OWN_TERMS or identity_name(resolved) else ""


# "what did Poland say", "how did Belarus respond": someone named (not "he", "they") asked for
# their account.
_ACCOUNT = re.compile(
    r"^(?:and\s+|but\s+)?(?:what|how)\s+(?:did|does|do|has|have|would|will)\s+"
    r"(?P<who>(?:the\s+)?[\w’'-]+(?:\s+[\w’'-]+){0,2}?)\s+(?:say|think|respond|react|reply|"
    r"claim|answer|make of)\b",
    re.IGNORECASE,
)
_NOT_SOMEONE = frozenset(
    [
        "he",
        "she",
        "they",
        "it",
        "this",
        "that",
        "who",
        "you",
        "we",
        "i",
        "people",
        "anyone",
        "someone",
        "everyone",
    ]
)


def asks_for_another_account(question: str, history: Sequence[Turn]) -> bool:
    """Whether a follow-up asks what someone else, by name, says about the answer just given
    ("and what did Poland say?", "how did Belarus respond?"): its answer is another passage
    than the one just quoted. "who said that?" or "when did he say it?" are about that one."""
    if not history or not cites(history[-1].answer):
        return False
    match = _ACCOUNT.search(_sentence(question))
    return bool(match) and match.group("who").casefold() not in _NOT_SOMEONE


@cache
def _source_words() -> tuple[frozenset[str], frozenset[str]]:
    """(cues, fillers) of rag/lexicon/source_questions.json, over every language."""
    data = read_json("source_questions.json")

    def words(kind: str) -> frozenset[str]:
        return frozenset(normalise(w) for ws in data[kind].values() for w in ws)

    return words("cues"), words("fillers")


def asks_for_source(question: str, history: Sequence[Turn]) -> bool:
    """Whether a follow-up asks where the answer just given comes from ("which outlet?",
    "source?", "when was that published?", "какое издание?"): every word of it is a cue or a
    filler of rag/lexicon/source_questions.json and one is a cue. A question with a topic of
    its own ("which outlet reported the Kuznica closure?") is a question, not this."""
    if not history or not cites(history[-1].answer):  # nothing cited to point to
        return False
    cues, fillers = _source_words()
    words = normalise(question).split()
    return any(w in cues for w in words) and all(w in cues or w in fillers for w in words)


def without_source_turns(history: Sequence[Turn]) -> list[Turn]:
    """`history` up to its last turn that asked about the news itself: the "which outlet?"
    turns after it only pointed at its answer, so follow-ups still lean on that one."""
    turns = list(history)
    while turns and asks_for_source(turns[-1].question, turns[:-1]):
        turns.pop()
    return turns


class Histories:
    """The earlier turns of each conversation: `rag chat`'s one, or a batch's many.

    `rag chat`, `rag ask --batch` and `rag eval` ask with these turns as history, so a
    conversation is remembered the same way in all three; a line outside any conversation
    (None) has no history.
    """

    def __init__(self, max_turns: int = DEFAULT_HISTORY_TURNS) -> None:
        self.max_turns = max_turns
        self._turns: dict[str, list[Turn]] = {}

    def of(self, conversation: str | None) -> list[Turn]:
        """The turns before this one, oldest first."""
        return list(self._turns.get(conversation, ())) if conversation is not None else []

    def add(self, conversation: str | None, question: str, answer: str) -> None:
        """Remember an answered turn (the chat remembers what was shown, a decline included)."""
        if conversation is not None:
            turns = [*self._turns.get(conversation, ()), Turn(question, answer)]
            self._turns[conversation] = turns[-self.max_turns :]

    def forget(self, conversation: str) -> None:
        """Start the conversation afresh (`/reset`)."""
        self._turns.pop(conversation, None)
