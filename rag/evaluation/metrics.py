"""Pure scoring: one item at a time (`score_item`), then aggregation (`aggregate`, `by_kind`).

No language model and no I/O: the article text and the outlet manifest come in as arguments.

Ranking metrics (hit@k, MRR@10) are computed here by hand rather than with ranx: they are a
few lines over the rank of the first relevant passage, ranx costs ~0.3 GB of resident memory,
~0.5 GB of installed packages (numba, pandas, ir-datasets) and a ~30 s JIT compile on a fresh
install, and it would re-sort passages by score, breaking ties differently from the order the
pipeline actually presented. tests/test_evaluation_metrics checks these functions against the
textbook definition over scored runs, on random rankings.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

from rag.evaluation.gold import GoldItem
from rag.evaluation.records import Output
from rag.evaluation.textnorm import contains_answer, overlaps, overlaps_any

RETRIEVAL_DEPTH = 10
CONCISE_MAX_CHARS = 400

ArticleText = Callable[[str], "str | None"]

# Overall metric keys, in report order. All but the ones in LOWER_IS_BETTER are "higher is
# better"; every one is accepted by `rag eval --min`.
METRIC_KEYS = (
    "answer_accuracy",
    "concise_accuracy",
    "hit@1",
    "hit@5",
    "mrr@10",
    "citation_precision",
    "citation_hit",
    "source_recall",
    "outlet_accuracy",
    "verbatim_rate",
    "abstention_rate",
    "false_abstention_rate",
    "mean_answer_chars",
    "latency_p50_s",
    "latency_p95_s",
    "peak_rss_mb",
    "errors",
    "n",
)
LOWER_IS_BETTER = frozenset(
    {
        "false_abstention_rate",
        "mean_answer_chars",
        "latency_p50_s",
        "latency_p95_s",
        "peak_rss_mb",
        "errors",
    }
)
# The metrics on which the product is compared with each baseline as a ratio.
HEADLINE_KEYS = (
    "answer_accuracy",
    "concise_accuracy",
    "hit@1",
    "hit@5",
    "mrr@10",
    "citation_precision",
)


@dataclass(frozen=True)
class ItemScore:
    """Everything scored about one system's output for one gold item.

    Fields that do not apply are None: retrieval and evidence metrics for unanswerable items,
    citation precision when nothing was cited.
    """

    id: str
    kind: str
    answerable: bool
    correct: bool
    concise: bool
    answer_chars: int
    abstained: bool
    declined_clean: bool  # abstained and cited nothing
    wrongly_declined: bool  # answerable but abstained
    first_relevant_rank: int | None  # 1-based, within the top RETRIEVAL_DEPTH
    hit1: bool | None
    hit5: bool | None
    rr10: float | None
    n_citations: int
    relevant_citations: int
    citation_precision: float | None
    citation_hit: bool | None
    source_recall: float | None  # share of gold sources some citation overlaps
    outlets_checked: int
    outlets_ok: int
    verbatim_ok: int
    latency_s: float
    error: str
    reasons: tuple[str, ...]  # why the item failed; empty when it did not

    @property
    def failed(self) -> bool:
        return bool(self.reasons)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        data["failed"] = self.failed
        return data


def answer_matches(answer: str, expected: Sequence[str], match: str) -> bool:
    """`any`: contains one of `expected`; `all`: contains every one (folded comparison)."""
    found = [contains_answer(answer, e) for e in expected]
    if not found:
        return False
    return all(found) if match == "all" else any(found)


def first_relevant_rank(relevance: Sequence[bool], depth: int = RETRIEVAL_DEPTH) -> int | None:
    """1-based rank of the first relevant passage within the first `depth`, else None."""
    for rank, relevant in enumerate(relevance[:depth], start=1):
        if relevant:
            return rank
    return None


def hit_at(rank: int | None, k: int) -> bool:
    return rank is not None and rank <= k


def reciprocal_rank(rank: int | None, depth: int = RETRIEVAL_DEPTH) -> float:
    return 1.0 / rank if rank is not None and rank <= depth else 0.0


def score_item(
    item: GoldItem,
    output: Output,
    *,
    article_text: ArticleText,
    outlets: Mapping[str, str] | None,
) -> ItemScore:
    """Score `output` against `item`. `outlets` maps doc -> outlet (None: not checked)."""
    evidence = item.evidence
    ok = not output.error
    cites = output.citations
    n_cites = len(cites)

    if item.answerable:
        correct = (
            ok and not output.abstained and answer_matches(output.answer, item.answers, item.match)
        )
    else:
        correct = ok and output.abstained and n_cites == 0
    concise = correct and len(output.answer) <= CONCISE_MAX_CHARS

    rank: int | None = None
    hit1 = hit5 = None
    rr10 = None
    citation_precision = None
    citation_hit = None
    source_recall = None
    cite_relevant = [overlaps_any(c.text, evidence) for c in cites] if item.answerable else []
    if item.answerable:
        relevance = [overlaps_any(r.text, evidence) for r in output.retrieved[:RETRIEVAL_DEPTH]]
        rank = first_relevant_rank(relevance)
        hit1, hit5, rr10 = hit_at(rank, 1), hit_at(rank, 5), reciprocal_rank(rank)
        if n_cites:
            citation_precision = sum(cite_relevant) / n_cites
        citation_hit = any(cite_relevant)
        covered = [any(overlaps(c.text, s.evidence) for c in cites) for s in item.sources]
        source_recall = sum(covered) / len(covered) if covered else None

    outlet_flags = (
        [bool(c.outlet) and outlets.get(c.doc) == c.outlet for c in cites]
        if outlets is not None
        else []
    )
    verbatim_flags = [_verbatim(c.text, article_text(c.doc)) for c in cites]

    reasons = _reasons(
        item, output, correct, rank, cite_relevant, outlet_flags, verbatim_flags, outlets
    )
    return ItemScore(
        id=item.id,
        kind=item.kind,
        answerable=item.answerable,
        correct=correct,
        concise=concise,
        answer_chars=len(output.answer),
        abstained=output.abstained,
        declined_clean=output.abstained and n_cites == 0 and ok,
        wrongly_declined=item.answerable and output.abstained,
        first_relevant_rank=rank,
        hit1=hit1,
        hit5=hit5,
        rr10=rr10,
        n_citations=n_cites,
        relevant_citations=sum(cite_relevant),
        citation_precision=citation_precision,
        citation_hit=citation_hit,
        source_recall=source_recall,
        outlets_checked=len(outlet_flags),
        outlets_ok=sum(outlet_flags),
        verbatim_ok=sum(verbatim_flags),
        latency_s=output.latency_s,
        error=output.error,
        reasons=reasons,
    )


def _verbatim(passage: str, article: str | None) -> bool:
    return bool(passage) and article is not None and passage in article


def _reasons(
    item: GoldItem,
    output: Output,
    correct: bool,
    rank: int | None,
    cite_relevant: list[bool],
    outlet_flags: list[bool],
    verbatim_flags: list[bool],
    outlets: Mapping[str, str] | None,
) -> tuple[str, ...]:
    """Human-readable reasons an item failed (empty tuple: it passed)."""
    if output.error:
        return (f"error: {output.error}",)
    reasons: list[str] = []
    cites = output.citations
    if item.answerable:
        if output.abstained:
            reasons.append("declined an answerable question")
        elif not correct:
            missing = [a for a in item.answers if not contains_answer(output.answer, a)]
            if item.match == "all":
                reasons.append("answer lacks " + ", ".join(repr(m) for m in missing))
            else:
                reasons.append("answer contains none of the expected strings")
        if not output.abstained:
            if not cites:
                reasons.append("no citations")
            elif not any(cite_relevant):
                reasons.append("no citation overlaps the gold evidence")
        if reasons and not hit_at(rank, 5):
            where = f"first at rank {rank}" if rank else f"not in top {RETRIEVAL_DEPTH}"
            reasons.append(f"evidence not retrieved in top 5 ({where})")
    else:
        if not output.abstained:
            reasons.append("answered an unanswerable question")
        elif cites:
            reasons.append("declined but still cited sources")
    for n, (cite, good) in enumerate(zip(cites, outlet_flags, strict=False), start=1):
        if not good and outlets is not None:
            expected = outlets.get(cite.doc)
            want = repr(expected) if expected is not None else "no manifest entry"
            reasons.append(f"citation [{n}] outlet {cite.outlet!r}, manifest: {want}")
    for n, (cite, good) in enumerate(zip(cites, verbatim_flags, strict=True), start=1):
        if not good:
            reasons.append(f"citation [{n}] passage is not verbatim in {cite.doc}.txt")
    return tuple(reasons)


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation, as numpy's default."""
    xs = sorted(values)
    if not xs:
        return None
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _mean(values: Iterable[float | bool | None]) -> float | None:
    xs = [float(v) for v in values if v is not None]
    return sum(xs) / len(xs) if xs else None


def aggregate(
    scores: Sequence[ItemScore], *, peak_rss_mb: float | None = None
) -> dict[str, float | int | None]:
    """Overall metrics over `scores`; a metric with nothing to average over is None."""
    answerable = [s for s in scores if s.answerable]
    unanswerable = [s for s in scores if not s.answerable]
    checked = sum(s.outlets_checked for s in scores)
    cited = sum(s.n_citations for s in scores)
    metrics: dict[str, float | int | None] = {
        "answer_accuracy": _mean(s.correct for s in scores),
        "concise_accuracy": _mean(s.concise for s in scores),
        "hit@1": _mean(s.hit1 for s in answerable),
        "hit@5": _mean(s.hit5 for s in answerable),
        "mrr@10": _mean(s.rr10 for s in answerable),
        "citation_precision": _mean(s.citation_precision for s in answerable),
        "citation_hit": _mean(s.citation_hit for s in answerable),
        "source_recall": _mean(s.source_recall for s in answerable),
        "outlet_accuracy": sum(s.outlets_ok for s in scores) / checked if checked else None,
        "verbatim_rate": sum(s.verbatim_ok for s in scores) / cited if cited else None,
        "abstention_rate": _mean(s.declined_clean for s in unanswerable),
        "false_abstention_rate": _mean(s.wrongly_declined for s in answerable),
        "mean_answer_chars": _mean(s.answer_chars for s in scores),
        "latency_p50_s": percentile((s.latency_s for s in scores), 50),
        "latency_p95_s": percentile((s.latency_s for s in scores), 95),
        "peak_rss_mb": peak_rss_mb,
        "errors": sum(1 for s in scores if s.error),
        "n": len(scores),
    }
    metrics["n_answerable"] = len(answerable)
    metrics["n_failed"] = sum(1 for s in scores if s.failed)
    return metrics


def by_group(
    scores: Sequence[ItemScore], labels: Sequence[str]
) -> dict[str, dict[str, float | int | None]]:
    """`aggregate` per label (`labels[i]` is the group of `scores[i]`), in first-seen order."""
    groups: dict[str, list[ItemScore]] = {}
    for s, label in zip(scores, labels, strict=True):
        groups.setdefault(label, []).append(s)
    return {label: aggregate(group) for label, group in groups.items()}


def by_kind(scores: Sequence[ItemScore]) -> dict[str, dict[str, float | int | None]]:
    """`aggregate` per gold `kind`, kinds in first-seen order."""
    return by_group(scores, [s.kind for s in scores])


def ratios(
    product: Mapping[str, float | int | None],
    baseline: Mapping[str, float | int | None],
    keys: Sequence[str] = HEADLINE_KEYS,
) -> dict[str, float | None]:
    """product / baseline per key; None when either is missing or the baseline is 0."""
    out: dict[str, float | None] = {}
    for key in keys:
        p, b = product.get(key), baseline.get(key)
        out[key] = p / b if p is not None and b else None
    return out
