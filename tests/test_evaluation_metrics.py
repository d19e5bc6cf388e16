"""Item-level scoring and aggregation on hand-made cases with known values."""

from __future__ import annotations

import random

import pytest

from rag.evaluation.gold import GoldItem, GoldSource
from rag.evaluation.metrics import (
    aggregate,
    answer_matches,
    by_kind,
    first_relevant_rank,
    percentile,
    ratios,
    reciprocal_rank,
    score_item,
)
from rag.evaluation.records import Output, Span
from rag.evaluation.textnorm import fold_answer, normalize, overlaps

ARTICLES = {
    "d1": (
        "Headline one\nFebruary 2, Pozirk. Poland closed the Kuźnica checkpoint as the "
        "situation worsened on the border, officials said.\n"
        "Checkpoints in Terespol and Kukuryki remain open for cargo traffic."
    ),
    "d2": "Other article\nWARSAW /TASS/. The minister called Russia the director of the crisis.",
}
OUTLETS = {"d1": "Pozirk", "d2": "TASS"}
EVIDENCE = "Poland closed the Kuźnica checkpoint"


def article_text(doc: str) -> str | None:
    return ARTICLES.get(doc)


def span(doc: str, text: str, outlet: str | None = None) -> Span:
    return Span(doc=doc, outlet=OUTLETS.get(doc, "") if outlet is None else outlet, text=text)


KUZNICA = span("d1", "Poland closed the Kuźnica checkpoint as the situation worsened")
TERESPOL = span("d1", "Checkpoints in Terespol and Kukuryki remain open for cargo traffic.")
DIRECTOR = span("d2", "The minister called Russia the director of the crisis.")
HEADLINE = span("d1", "Headline one")


def item(
    answers=("Kuznica",), match="any", answerable=True, evidence=(EVIDENCE,), kind="factoid"
) -> GoldItem:
    return GoldItem(
        id=f"t-{kind}",
        question="Which checkpoint was closed?",
        answerable=answerable,
        answers=tuple(answers) if answerable else (),
        match=match,
        sources=tuple(GoldSource("d1", "Pozirk", e) for e in evidence) if answerable else (),
        kind=kind,
    )


def score(gold: GoldItem, out: Output, outlets=OUTLETS):
    return score_item(gold, out, article_text=article_text, outlets=outlets)


# --- text normalisation -------------------------------------------------------------------


def test_fold_drops_diacritics_and_polish_l():
    assert fold_answer("Kuźnica") == "kuznica"
    assert fold_answer("ŁÓDŹ") == "lodz"
    assert fold_answer("Radosław  Sikorski") == "radoslaw sikorski"
    assert fold_answer("Valfovič") == "valfovic"


def test_normalize_is_nfkc_casefold_whitespace():
    assert normalize("  The\u00a0Hybrid\n\tAttack ") == "the hybrid attack"
    assert normalize("ﬁve") == "five"  # NFKC ligature


def test_overlap_shared_run_of_30_chars_or_containment():
    evidence = "increased the number of soldiers on the border with Belarus"
    # a chunk cut in the middle of the evidence still shares >= 30 characters
    assert overlaps("...Blaszczak increased the number of soldiers on the", evidence)
    # fewer than 30 shared characters is not enough
    assert not overlaps("the number of soldiers were there", evidence)
    # short evidence must be contained
    assert overlaps("It saw 5,200 via Latvia last year", "5,200 via Latvia")
    assert not overlaps("It saw 5,200 via Lithuania", "5,200 via Latvia")
    # case and whitespace do not matter
    assert overlaps("INCREASED  the number\nof soldiers ON THE BORDER", evidence)
    assert not overlaps("", evidence)


# --- answers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected", "ok"),
    [
        ("Poland closed the Kuznica checkpoint [1].", "Kuźnica", True),
        ("Poland closed the Kuźnica checkpoint [1].", "Kuznica", True),
        ("It was KUŹNICA.", "kuznica", True),
        ("Radoslaw Sikorski said so [1].", "Radosław Sikorski", True),
        ("Poland closed the Kuznitsa checkpoint.", "Kuznica", False),
    ],
)
def test_answer_match_folds_case_and_diacritics(answer, expected, ok):
    assert answer_matches(answer, [expected], "any") is ok


def test_match_all_partially_satisfied_is_wrong():
    gold = item(
        answers=("Terespol", "Kukuryki"),
        match="all",
        evidence=("Checkpoints in Terespol and Kukuryki",),
        kind="list",
    )
    half = score(
        gold, Output(answer="Terespol handles cargo [1].", abstained=False, citations=(TERESPOL,))
    )
    assert half.correct is False
    assert half.failed
    assert any("'Kukuryki'" in r and "'Terespol'" not in r for r in half.reasons)
    assert answer_matches("Terespol handles cargo", ["Terespol", "Kukuryki"], "any") is True

    full = score(
        gold, Output(answer="Terespol and kukuryki [1].", abstained=False, citations=(TERESPOL,))
    )
    assert full.correct is True
    assert full.citation_precision == 1.0
    assert not full.failed


def test_concise_requires_400_chars_or_fewer():
    gold = item()
    short = score(gold, Output(answer="Kuznica [1]", abstained=False, citations=(KUZNICA,)))
    long = score(gold, Output(answer="Kuznica " + "x" * 400, abstained=False, citations=(KUZNICA,)))
    assert short.concise and short.correct
    assert long.correct and not long.concise
    assert long.answer_chars == 408


# --- retrieval ------------------------------------------------------------------------------


def test_relevant_at_rank_3_gives_mrr_one_third():
    out = Output(
        answer="Kuznica [1]",
        abstained=False,
        citations=(KUZNICA,),
        retrieved=(HEADLINE, DIRECTOR, KUZNICA, TERESPOL),
    )
    s = score(item(), out)
    assert s.first_relevant_rank == 3
    assert s.hit1 is False
    assert s.hit5 is True
    assert s.rr10 == pytest.approx(1 / 3)


def test_empty_retrieval_scores_zero():
    s = score(item(), Output(answer="", abstained=True))
    assert s.first_relevant_rank is None
    assert (s.hit1, s.hit5, s.rr10) == (False, False, 0.0)
    assert any("not in top 10" in r for r in s.reasons)


def test_relevant_beyond_rank_10_does_not_count():
    filler = tuple(span("d2", f"filler {i}") for i in range(10))
    out = Output(answer="x", abstained=False, retrieved=(*filler, KUZNICA))
    s = score(item(), out)
    assert s.first_relevant_rank is None and s.rr10 == 0.0
    assert first_relevant_rank([False] * 10 + [True]) is None
    assert reciprocal_rank(4) == 0.25


def test_unanswerable_items_have_no_retrieval_scores():
    s = score(
        item(answerable=False, kind="unanswerable"),
        Output(answer="Not in the articles.", abstained=True, retrieved=(KUZNICA,)),
    )
    assert (s.hit1, s.hit5, s.rr10, s.citation_hit) == (None, None, None, None)
    m = aggregate([s])
    assert m["hit@5"] is None and m["mrr@10"] is None


# --- citations ------------------------------------------------------------------------------


def test_no_citations():
    s = score(item(), Output(answer="Kuznica", abstained=False, retrieved=(KUZNICA,)))
    assert s.correct is True
    assert s.n_citations == 0
    assert s.citation_precision is None
    assert s.citation_hit is False
    assert "no citations" in s.reasons
    m = aggregate([s])
    assert m["citation_precision"] is None
    assert m["citation_hit"] == 0.0
    assert m["verbatim_rate"] is None and m["outlet_accuracy"] is None


def test_citation_precision_and_hit():
    out = Output(answer="Kuznica [1][2]", abstained=False, citations=(KUZNICA, DIRECTOR))
    s = score(item(), out)
    assert s.citation_precision == 0.5
    assert s.citation_hit is True
    assert s.relevant_citations == 1


def test_verbatim_check_fails_for_altered_passage():
    altered = span("d1", "Poland shut the Kuźnica checkpoint as the situation worsened")
    s = score(
        item(), Output(answer="Kuznica [1][2]", abstained=False, citations=(KUZNICA, altered))
    )
    assert s.verbatim_ok == 1
    assert any("citation [2]" in r and "not verbatim" in r for r in s.reasons)
    assert aggregate([s])["verbatim_rate"] == 0.5
    # a passage of an article that does not exist is not verbatim either
    ghost = score(
        item(),
        Output(
            answer="Kuznica", abstained=False, citations=(span("nope", KUZNICA.text, outlet="X"),)
        ),
    )
    assert ghost.verbatim_ok == 0


def test_wrong_or_empty_outlet_is_counted():
    wrong = span("d1", KUZNICA.text, outlet="TASS")
    empty = span("d1", KUZNICA.text, outlet="")
    s = score(
        item(),
        Output(answer="Kuznica [1][2][3]", abstained=False, citations=(KUZNICA, wrong, empty)),
    )
    assert (s.outlets_checked, s.outlets_ok) == (3, 1)
    assert any("citation [2] outlet 'TASS'" in r and "'Pozirk'" in r for r in s.reasons)
    assert aggregate([s])["outlet_accuracy"] == pytest.approx(1 / 3)
    unknown = score(
        item(), Output(answer="Kuznica", abstained=False, citations=(span("d9", "x", outlet="RT"),))
    )
    assert unknown.outlets_ok == 0


def test_outlets_unchecked_without_manifest():
    s = score(
        item(), Output(answer="Kuznica [1]", abstained=False, citations=(KUZNICA,)), outlets=None
    )
    assert s.outlets_checked == 0
    assert aggregate([s])["outlet_accuracy"] is None


def test_source_recall_for_multi_doc():
    gold = GoldItem(
        id="m",
        question="q",
        answerable=True,
        answers=("director",),
        match="any",
        sources=(
            GoldSource("d1", "Pozirk", EVIDENCE),
            GoldSource("d2", "TASS", "called Russia the director"),
        ),
        kind="multi-doc",
    )
    one = score(gold, Output(answer="the director [1]", abstained=False, citations=(DIRECTOR,)))
    both = score(
        gold, Output(answer="the director [1][2]", abstained=False, citations=(DIRECTOR, KUZNICA))
    )
    assert one.source_recall == 0.5
    assert both.source_recall == 1.0


# --- abstention -----------------------------------------------------------------------------


def test_abstained_answerable_item_is_wrong():
    s = score(item(), Output(answer="The articles do not say.", abstained=True))
    assert s.correct is False
    assert s.wrongly_declined is True
    assert "declined an answerable question" in s.reasons
    assert aggregate([s])["false_abstention_rate"] == 1.0


def test_abstained_unanswerable_item_is_right():
    s = score(
        item(answerable=False, kind="unanswerable"),
        Output(answer="The articles do not say.", abstained=True),
    )
    assert s.correct is True
    assert s.declined_clean is True
    assert not s.failed
    m = aggregate([s])
    assert m["abstention_rate"] == 1.0
    assert m["answer_accuracy"] == 1.0
    assert m["false_abstention_rate"] is None


def test_unanswerable_declined_with_citations_or_answered_is_wrong():
    gold = item(answerable=False, kind="unanswerable")
    cited = score(gold, Output(answer="Not found.", abstained=True, citations=(KUZNICA,)))
    answered = score(gold, Output(answer="Kuznica [1]", abstained=False, citations=(KUZNICA,)))
    assert not cited.correct and "declined but still cited sources" in cited.reasons
    assert not answered.correct and "answered an unanswerable question" in answered.reasons
    assert aggregate([cited, answered])["abstention_rate"] == 0.0


def test_error_output_is_wrong_even_for_unanswerable():
    s = score(item(answerable=False), Output(answer="", abstained=False, error="Boom: x"))
    assert s.correct is False
    assert s.reasons == ("error: Boom: x",)
    assert aggregate([s])["errors"] == 1


# --- aggregation ----------------------------------------------------------------------------


def test_aggregate_and_by_kind_known_values():
    right = score(
        item(),
        Output(
            answer="Kuznica [1]",
            abstained=False,
            citations=(KUZNICA,),
            retrieved=(KUZNICA,),
            latency_s=1.0,
        ),
    )
    rank2 = score(
        item(),
        Output(
            answer="no idea",
            abstained=False,
            citations=(DIRECTOR,),
            retrieved=(DIRECTOR, KUZNICA),
            latency_s=2.0,
        ),
    )
    declined = score(
        item(answerable=False, kind="unanswerable"),
        Output(answer="Not found.", abstained=True, latency_s=3.0),
    )
    missed = score(
        item(answerable=False, kind="unanswerable"),
        Output(answer="Kuznica [1]", abstained=False, citations=(KUZNICA,), latency_s=4.0),
    )
    m = aggregate([right, rank2, declined, missed], peak_rss_mb=123.0)
    assert m["n"] == 4 and m["n_answerable"] == 2
    assert m["answer_accuracy"] == 0.5
    assert m["hit@1"] == 0.5
    assert m["hit@5"] == 1.0
    assert m["mrr@10"] == pytest.approx((1 + 0.5) / 2)
    assert m["citation_precision"] == 0.5
    assert m["citation_hit"] == 0.5
    assert m["abstention_rate"] == 0.5
    assert m["false_abstention_rate"] == 0.0
    assert m["verbatim_rate"] == 1.0
    assert m["outlet_accuracy"] == 1.0
    assert m["latency_p50_s"] == 2.5
    assert m["latency_p95_s"] == pytest.approx(3.85)
    assert m["peak_rss_mb"] == 123.0
    assert m["n_failed"] == 2
    kinds = by_kind([right, rank2, declined, missed])
    assert list(kinds) == ["factoid", "unanswerable"]
    assert kinds["factoid"]["answer_accuracy"] == 0.5
    assert kinds["unanswerable"]["abstention_rate"] == 0.5
    assert kinds["unanswerable"]["hit@5"] is None


def test_percentile_and_ratios():
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    r = ratios(
        {"answer_accuracy": 0.8, "hit@5": 0.9},
        {"answer_accuracy": 0.4, "hit@5": 0.0},
        keys=("answer_accuracy", "hit@5", "mrr@10"),
    )
    assert r == {"answer_accuracy": 2.0, "hit@5": None, "mrr@10": None}


def _reference_ranks(run: dict[str, float], relevant: set[str], depth: int) -> int | None:
    """The textbook definition, written independently: rank documents by descending score and
    return the 1-based rank of the first relevant one within `depth` (trec_eval's reading)."""
    ranked = sorted(run, key=lambda doc: -run[doc])[:depth]
    return next((i for i, doc in enumerate(ranked, start=1) if doc in relevant), None)


def test_ranking_metrics_agree_with_the_textbook_definition_on_random_rankings():
    """hit@1, hit@5 and MRR@10 over `first_relevant_rank` equal the same metrics computed
    from scored runs, for 300 random rankings (none, some or all relevant; short and long)."""
    rng = random.Random(7)
    hits1 = hits5 = mrr = 0.0
    ref1 = ref5 = ref_mrr = 0.0
    n = 300
    for _ in range(n):
        relevance = [rng.random() < 0.15 for _ in range(rng.randint(0, 14))]
        run = {f"d{i}": float(100 - i) for i in range(len(relevance))}
        relevant = {f"d{i}" for i, rel in enumerate(relevance) if rel}
        rank = first_relevant_rank(relevance)
        hits1 += rank == 1
        hits5 += rank is not None and rank <= 5
        mrr += reciprocal_rank(rank)
        expected = _reference_ranks(run, relevant, depth=10)
        ref1 += expected == 1
        ref5 += expected is not None and expected <= 5
        ref_mrr += 1.0 / expected if expected else 0.0
    assert 0 < ref1 < ref5 < n  # the sample exercises every case
    assert (hits1, hits5) == (ref1, ref5)
    assert mrr / n == pytest.approx(ref_mrr / n)
