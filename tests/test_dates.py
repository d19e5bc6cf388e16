"""Dates in sentences: which day a weekday means in an article of a given date."""

from __future__ import annotations

from rag.answering.dates import weekday_date


def test_a_weekday_is_that_day_on_or_before_the_articles_date() -> None:
    # 23 November 2021 was a Tuesday; 14 November 2021 a Sunday.
    assert weekday_date("Rau told the Polish radio on Tuesday.", "2021-11-23") == (
        "Tuesday",
        "2021-11-23",
    )
    assert weekday_date("In Sunday’s interview Putin rejected…", "2021-11-23") == (
        "Sunday",
        "2021-11-21",
    )
    assert weekday_date("Makei spoke with Borrell on Sunday.", "2021-11-14") == (
        "Sunday",
        "2021-11-14",
    )


def test_no_day_is_guessed_beside_another_date_or_without_the_articles_date() -> None:
    assert weekday_date("On Monday, November 8, it escalated.", "2021-11-12") is None
    assert weekday_date("talks on Monday and Tuesday", "2021-11-12") is None
    assert weekday_date("He said it on Tuesday.", "") is None
    assert weekday_date("He said it in June.", "2021-11-12") is None
