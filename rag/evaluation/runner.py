"""Runs the product (Pipeline.ask, as the CLI and bot do) and the baselines, then scores them."""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rag.config import DEFAULT_HISTORY_TURNS
from rag.conversation import Histories
from rag.errors import InvalidQuestion, RagError
from rag.evaluation.corpus import ArticleTexts, load_manifest
from rag.evaluation.gold import GoldItem
from rag.evaluation.metrics import (
    RETRIEVAL_DEPTH,
    ItemScore,
    aggregate,
    by_group,
    by_kind,
    score_item,
)
from rag.evaluation.records import (
    BASELINES,
    PRODUCT,
    Output,
    SystemSpec,
    baseline_output,
    output_from_answer,
)
from rag.types import Answer, ScoredPassage, Turn

NO_LANG = "(no lang)"  # the by-language group of items that do not say their language


class AnswersQuestions(Protocol):
    """The part of rag.pipeline.Pipeline the evaluation uses."""

    def ask(
        self, question: str, *, history: Sequence[Turn] = (), answerer: str | None = None
    ) -> Answer: ...

    def retrieve(self, query: str, *, mode: str = "hybrid", k: int = 10) -> list[ScoredPassage]: ...


@dataclass
class SystemResult:
    spec: SystemSpec
    outputs: list[Output]
    scores: list[ItemScore]
    overall: dict[str, float | int | None]
    kinds: dict[str, dict[str, float | int | None]]
    # by turn position / by `lang`; empty when no item is a conversation turn / says its lang
    turns: dict[str, dict[str, float | int | None]] = field(default_factory=dict)
    langs: dict[str, dict[str, float | int | None]] = field(default_factory=dict)


@dataclass
class Evaluation:
    gold_path: str
    items: list[GoldItem]
    systems: dict[str, SystemResult]  # the product first
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def product(self) -> SystemResult:
        return self.systems[PRODUCT.name]

    @property
    def baselines(self) -> list[SystemResult]:
        return [s for name, s in self.systems.items() if name != PRODUCT.name]


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _guarded(call: Callable[[], Output]) -> Output:
    """Run one question; a rejected question or a bug becomes a scored error, not a crash.

    Errors the user must act on (missing model, unreachable index, unknown answerer) propagate.
    """
    start = time.perf_counter()
    try:
        return call()
    except InvalidQuestion as exc:
        message = f"InvalidQuestion: {exc}"
    except RagError:
        raise
    except Exception as exc:  # one broken question must not end the run
        message = f"{type(exc).__name__}: {exc}"
    print(f"rag eval: warning: {message}", file=sys.stderr)
    return Output(answer="", abstained=False, latency_s=time.perf_counter() - start, error=message)


def ask_product(
    pipeline: AnswersQuestions,
    question: str,
    answerer: str | None,
    history: Sequence[Turn] = (),
) -> Output:
    """The product's answer, timed around Pipeline.ask exactly as a front end calls it
    (a conversation's later turn with the earlier turns as history)."""
    start = time.perf_counter()
    answer = pipeline.ask(question, history=history, answerer=answerer)
    return output_from_answer(answer, time.perf_counter() - start)


def run_product(
    pipeline: AnswersQuestions,
    items: Sequence[GoldItem],
    answerer: str | None,
    on_done: Callable[[], None] = lambda: None,
    history_turns: int = DEFAULT_HISTORY_TURNS,
) -> list[Output]:
    """Every item through the product in file order; a conversation's turns carry its history
    as `rag chat` keeps it (a turn that errored is not remembered, like a rejected chat line)."""
    histories = Histories(history_turns)
    outputs = []
    for item in items:
        history = histories.of(item.conversation)
        out = _guarded(lambda q=item.question, h=history: ask_product(pipeline, q, answerer, h))
        if not out.error:
            histories.add(item.conversation, item.question, out.answer)
        outputs.append(out)
        on_done()
    return outputs


def ask_baseline(pipeline: AnswersQuestions, question: str, mode: str) -> Output:
    """A retrieval-only baseline's answer: its top passage, timed around retrieval."""
    start = time.perf_counter()
    hits = pipeline.retrieve(question, mode=mode, k=RETRIEVAL_DEPTH)
    return baseline_output(hits, time.perf_counter() - start)


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="rag eval", unit="q", file=sys.stderr, disable=not enabled)


def evaluate(
    pipeline: AnswersQuestions,
    items: Sequence[GoldItem],
    *,
    corpus_dir: str | Path,
    gold_path: str = "",
    answerer: str | None = None,
    baselines: bool = True,
    progress: bool = True,
    meta: dict[str, Any] | None = None,
    history_turns: int = DEFAULT_HISTORY_TURNS,
) -> Evaluation:
    """Ask every item of the product (and each baseline), then score with the same metrics.

    Peak memory is read right after the product's run, before anything else is loaded.
    """
    specs = [PRODUCT, *(BASELINES if baselines else ())]
    meta = dict(meta or {})
    start = time.perf_counter()
    pipeline.retrieve("warm-up", k=1)  # first-query model start-up is not a question's latency
    meta["warmup_s"] = round(time.perf_counter() - start, 3)

    raw: dict[str, list[Output]] = {}
    peak: float | None = None
    with _progress(len(items) * len(specs), progress) as bar:
        for spec in specs:
            bar.set_postfix_str(spec.name)
            if spec is PRODUCT:
                raw[spec.name] = run_product(
                    pipeline, items, answerer, lambda: bar.update(1), history_turns
                )
                peak = peak_rss_mb()
                continue
            outputs = []
            for item in items:  # a baseline sees each question alone, with no history
                out = _guarded(lambda q=item.question, m=spec.mode: ask_baseline(pipeline, q, m))
                outputs.append(out)
                bar.update(1)
            raw[spec.name] = outputs

    if all(o.error for o in raw[PRODUCT.name]):
        first = raw[PRODUCT.name][0].error
        raise RagError(
            f"every question failed in the pipeline (first: {first}); "
            "try one with `rag ask` and fix that first."
        )

    systems = {
        spec.name: score_system(
            spec,
            items,
            raw[spec.name],
            corpus_dir=corpus_dir,
            peak=peak if spec is PRODUCT else None,
        )
        for spec in specs
    }
    product_outputs = raw[PRODUCT.name]
    meta["fallbacks"] = sum(1 for o in product_outputs if o.fallback_reason)
    meta["answerers_used"] = sorted({o.answerer for o in product_outputs if o.answerer})
    meta["corpus_dir"] = str(corpus_dir)
    return Evaluation(gold_path=gold_path, items=list(items), systems=systems, meta=meta)


def score_system(
    spec: SystemSpec,
    items: Sequence[GoldItem],
    outputs: Sequence[Output],
    *,
    corpus_dir: str | Path,
    peak: float | None = None,
) -> SystemResult:
    """Score one system's outputs against the gold items (same code for every system)."""
    articles = ArticleTexts(corpus_dir)
    outlets = load_manifest(corpus_dir)
    scores = [
        score_item(item, out, article_text=articles, outlets=outlets)
        for item, out in zip(items, outputs, strict=True)
    ]
    has_turns = any(item.conversation is not None for item in items)
    has_langs = any(item.lang for item in items)
    return SystemResult(
        spec=spec,
        outputs=list(outputs),
        scores=scores,
        overall=aggregate(scores, peak_rss_mb=peak),
        kinds=by_kind(scores),
        turns=_sorted(by_group(scores, [i.turn_label for i in items])) if has_turns else {},
        langs=_sorted(by_group(scores, [i.lang or NO_LANG for i in items])) if has_langs else {},
    )


def _sorted(groups: dict[str, Any]) -> dict[str, Any]:
    return dict(sorted(groups.items()))
