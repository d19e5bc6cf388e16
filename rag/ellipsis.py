"""What a follow-up, or a later part of a question, gives anew in place of the words before it.

"…by late June 2024?" then "what about by november": the month is replaced, the rest of the
question stands. The same holds inside one question: "…by late June, and how many by
mid-November?" (rag.compound).
"""

from __future__ import annotations

import re

from rag.lexicon import english

_YEAR = re.compile(r"\b(?:in\s+)?(?:19|20)\d\d\b", re.IGNORECASE)
# A month with what belongs to it: "by late June", "in early March 12".
_MONTH_PHRASE = re.compile(
    rf"\b(?:(?:by|in|on|at|until|since|from|as of)\s+)?(?:(?:early|late|mid)[\s-]+)?"
    rf"(?:{'|'.join(english().months)})\b(?:\s+\d{{1,2}}\b)?",
    re.IGNORECASE,
)
_POSSESSIVE_NAME = re.compile(r"\b([A-Z][\w-]*)(?:’s|'s)(?=\s)")
# An outlet named as the source ("in Pozirk's report") replaces the first part's ("in TIME's
# report"): a possessive before "report", "article", "story" or "account".
_SOURCE = re.compile(r"(?:’s|'s)\s+(?:\w+\s+){0,4}?(?:report|article|story|account)")
# "…according to TASS in 2021, and who held the post according to Pozirk in 2024?"
_ACCORDING = re.compile(r"\baccording\s+to\s+[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")


def without_replaced_details(context: str, part: str) -> str:
    """`context` (an earlier question) minus the kinds of detail `part` (what follows it) gives
    anew: its year, its month (with "by late", "in early"), its outlet ("TIME's"). "…, and
    how many by mid-November?" and "what about by november" replace "by late June"."""
    if _MONTH_PHRASE.search(part):
        context = _MONTH_PHRASE.sub(" ", context)
    if _YEAR.search(part):
        context = _YEAR.sub(" ", context)
    if _SOURCE.search(part):
        context = _POSSESSIVE_NAME.sub(" ", context)
    if _ACCORDING.search(part):
        context = _ACCORDING.sub(" ", context)
    return context


def swap_date(topic: str, target: str) -> str:
    """`topic` asked again for the month or year `target` names ("what about by november"
    after "…by late June 2024?"), or '' when `target` names none."""
    replaced = without_replaced_details(topic, target)
    return " ".join(f"{replaced} {target}".split()) if replaced != topic else ""
