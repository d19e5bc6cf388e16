"""Dates in sentences: where a sentence's numbers are parts of dates ("November 8" and "since
2021" answer "when", never "how many": "How many troops did Lithuania send?" is not answered
with "8"), and which day a weekday means in an article of a given date."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from rag.lexicon import english, read_lines


@lru_cache(maxsize=1)
def _date_number() -> re.Pattern[str]:
    months = "|".join(m.lower() for m in english().months)
    before_year = "|".join((*read_lines("en", "year_cues.txt"), *english().seasons))
    day = r"\d{1,2}(?:st|nd|rd|th)?"
    return re.compile(
        rf"\b(?:(?:{months})\.? {day}(?:,? (?:19|20)\d\d)?"  # November 8, November 8, 2021
        rf"|{day} (?:of )?(?:{months})(?: (?:19|20)\d\d)?"  # 8 November 2021
        rf"|(?:(?:{months}|{before_year})[ -](?:the )?)(?:19|20)\d\d)(?!\d)",  # in June 2024
        re.IGNORECASE,
    )


def without_dates(text: str) -> str:
    """`text` with its dates blanked out (same length, so offsets still hold)."""
    return _date_number().sub(lambda m: " " * len(m.group(0)), text)


def weekday_date(sentence: str, published: str) -> tuple[str, str] | None:
    """(the weekday, the ISO date it means) when `sentence` names one weekday and no other
    date ("…told the Polish radio on Tuesday", "In Sunday’s interview"), read as news writes
    it: that weekday on or before `published`, the article's date ('2021-11-23'). None when
    the sentence names another date, several weekdays, or the article's date is unknown."""
    if _date_number().search(sentence):
        return None
    named = {d for d in english().weekdays if re.search(rf"\b{d}\b", sentence)}
    if len(named) != 1:
        return None
    try:
        day = dt.date.fromisoformat(published[:10])
    except ValueError:
        return None
    weekday = named.pop()
    back = (day.weekday() - english().weekdays.index(weekday)) % 7
    return weekday, (day - dt.timedelta(days=back)).isoformat()
