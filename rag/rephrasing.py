"""Question forms rewritten as the form the answerer reads them by.

"tsikhanouskaya's take on the migrant crisis?" asks what "what did Tsikhanouskaya say about
the migrant crisis" asks: whose account, about what. Rewritten, the statement rules apply to
it (the speaker's own words, not a sentence that only talks about them). "How many migrants
lost their lives" counts what "how many migrants died" counts (rag/lexicon/en/idioms.tsv).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.lexicon import read_lines, read_table

# "X's take on / remarks about Y": what X said about Y; "after / at / during…" keep their word.
_ABOUT = ("on", "to", "about", "regarding", "of")
_WHEN = ("after", "at", "during", "following", "in")


@lru_cache(maxsize=1)
def _opinion() -> re.Pattern[str]:
    nouns = "|".join(read_lines("en", "opinion_words.txt"))
    return re.compile(
        r"^\s*(?:(?:what|how)(?:[’']s|s|\s+is|\s+was|\s+were|\s+are)\s+)?"
        r"(?P<who>(?:the\s+)?[\w.-]+(?:\s+[\w.-]+){0,2}?)[’']s?\s+"
        rf"(?:{nouns})\s+(?P<how>{'|'.join(_ABOUT + _WHEN)})\s+"
        r"(?P<what>.+)$",
        re.IGNORECASE,
    )


def opinion_as_statement(question: str) -> str:
    """ "X's take on Y" (rag/lexicon/en/opinion_words.txt) as "what did X say about Y";
    `question` itself when it is not of that form."""
    match = _opinion().match(question)
    if not match:
        return question
    # "lavrov's comments after the meeting": what he said after it, not about it
    how = match.group("how").casefold()
    about = "about" if how in _ABOUT else how
    return f"what did {match.group('who')} say {about} {match.group('what')}"


# "what does TASS say about when it escalated": the question inside is the one asked, of
# what that outlet or person says.
_EMBEDDED_QUESTION = re.compile(
    r"^\s*(?:and\s+)?what\s+(?:does|did|do)\s+(?P<who>[\w’'-]+(?:\s+[\w’'-]+)?)\s+"
    r"(?:say|said|report|write|claim|think)\s+(?:about|abt|on|of)\s+"
    r"(?P<question>(?:when|where|why|how|who|which)\b.+)$",
    re.IGNORECASE,
)


# "what does TIME say Putin said about the crisis": what Putin said, as TIME reports it.
_REPORTED_SPEECH = re.compile(
    r"^\s*(?:and\s+)?what\s+(?:does|did|do)\s+(?P<who>[\w’'-]+(?:\s+[\w’'-]+)?)\s+"
    r"(?:say|report|write|claim)\s+(?:that\s+)?"
    r"(?P<speaker>[\w’'.-]+(?:\s+[\w’'.-]+)?)\s+(?:said|says|told|stated|claimed)\b\s*"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)


def embedded_question_first(question: str) -> str:
    """ "what does TASS say about when it escalated" as "when it escalated according to
    TASS", "what does TIME say Putin said about X" as "what did Putin say about X according
    to TIME"; `question` itself when it is of neither form."""
    match = _EMBEDDED_QUESTION.match(question)
    if match:
        return f"{match.group('question').rstrip('?')} according to {match.group('who')}"
    match = _REPORTED_SPEECH.match(question)
    if match:
        rest = match.group("rest").rstrip("?").strip()
        said = f"what did {match.group('speaker')} say {rest}".rstrip()
        return f"{said} according to {match.group('who')}"
    return question


# "what about TIME, how does it quote him": the clause after the comma only asks for that
# outlet's account of what was just asked.
_ACCOUNT_CLAUSE = re.compile(
    r"^(?P<head>\W*\w+(?:\W+\w+){0,2}?)\s*[,;-]?\s+(?:and\s+)?(?:how|what)\s+(?:does|did|do)\s+"
    r"(?:it|they|he|she)\s+(?:quote|cite|say|report|write|describe)\s*"
    r"(?:him|her|them|it|that)?\s*\??\s*$",
    re.IGNORECASE,
)


def without_account_clause(question: str) -> str:
    """ "what about TIME, how does it quote him" as "what about TIME"; `question` itself when
    it has no such clause after what it asks."""
    match = _ACCOUNT_CLAUSE.match(question)
    return match.group("head") if match else question


# "who heads the interior ministry": who the minister is (a first deputy does not head it).
_HEADS_MINISTRY = re.compile(
    r"\b(?:heads|leads|runs|is\s+in\s+charge\s+of|is\s+the\s+head\s+of)\s+(?:the\s+)?"
    r"(?P<country>\w+(?:[’']s)?\s+)?(?P<office>(?!the\b)\w+)\s+ministry\b",
    re.IGNORECASE,
)


def ministry_head_as_minister(question: str) -> str:
    """ "who heads the interior ministry of Belarus" as "who is the interior minister of
    Belarus"; `question` itself when it asks no such thing."""
    return _HEADS_MINISTRY.sub(
        lambda m: f"is the {m.group('country') or ''}{m.group('office')} minister", question
    )


# "list the countries that…", "name all the officials…": what "which countries…" asks
_LIST_REQUEST = re.compile(
    r"^\s*(?:please\s+|pls\s+)?(?:list|name)\s+(?:all\s+)?(?:of\s+)?the\s+", re.I
)


def list_as_which(question: str) -> str:
    """ "list the X that…" / "name all the X…" as "which X that…"; `question` itself when it
    is not of that form."""
    return _LIST_REQUEST.sub("which ", question, count=1)


@lru_cache(maxsize=1)
def _idioms() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(rf"\b{re.escape(phrase)}\b", re.IGNORECASE), word)
        for phrase, word in read_table("en", "idioms.tsv").items()
    )


def idioms_as_words(question: str) -> str:
    """`question` with each phrase of rag/lexicon/en/idioms.tsv replaced by its word."""
    for pattern, word in _idioms():
        question = pattern.sub(word, question)
    return question
