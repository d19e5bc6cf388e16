"""The `rag eval` subcommand: argument parsing and the handler the CLI dispatches to."""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path("eval-out")

DESCRIPTION = """\
Answer every question of a gold JSONL file through the pipeline (exactly as `rag ask` and the
bot do), score the answers, citations, retrieval and abstentions without a language model,
and compare with dense-only and BM25-only top-passage baselines on the same index.
Writes report.md, results.jsonl, metrics.json and chart.png into --out."""


def register_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add `eval` to the CLI's subparsers; its handler is `args.handler(args, settings)`."""
    parser = subparsers.add_parser(
        "eval",
        help="score the pipeline on a gold question file",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("gold", type=Path, metavar="GOLD.jsonl", help="gold questions (JSONL)")
    parser.add_argument(
        "--answerer",
        default=None,
        metavar="NAME",
        help="answerer to use (default: the configured one, RAG_ANSWERER)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"where to write the report files (default: ./{DEFAULT_OUT})",
    )
    parser.add_argument(
        "--min",
        dest="floors",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="exit 1 if a product metric (e.g. answer_accuracy, hit@5) is below VALUE; repeatable",
    )
    parser.add_argument(
        "--no-baselines",
        dest="baselines",
        action="store_false",
        help="skip the dense-only and BM25-only baselines",
    )
    parser.set_defaults(handler=run_eval)
    return parser


def run_eval(args: argparse.Namespace, settings: Any) -> int:
    """Handler for `rag eval`: 0 when done, 1 when a --min floor is not met.

    Raises rag.errors.UsageError (exit 2) for a malformed --min or a bad gold file.
    """
    from rag.errors import UsageError
    from rag.evaluation.corpus import ArticleTexts, load_manifest
    from rag.evaluation.gates import check_floors, parse_floors
    from rag.evaluation.gold import check_against_corpus, load_gold

    missing = [m for m in ("tqdm", "matplotlib") if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(
            f"rag eval needs {' and '.join(missing)}: install the eval extra "
            "(pip install -e '.[eval]')."
        )
    floors = parse_floors(args.floors)
    items = load_gold(args.gold)
    corpus_dir = Path(settings.seeds_dir)
    out_dir = Path(args.out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot create --out {out_dir} ({exc}): pass a writable directory."
        ) from None
    for problem in check_against_corpus(items, ArticleTexts(corpus_dir), load_manifest(corpus_dir)):
        print(f"rag eval: gold warning: {problem}", file=sys.stderr)

    from rag.evaluation.runner import evaluate
    from rag.pipeline import Pipeline

    start = time.perf_counter()
    pipeline = Pipeline.open(settings)
    open_s = round(time.perf_counter() - start, 3)
    ev = evaluate(
        pipeline,
        items,
        corpus_dir=corpus_dir,
        gold_path=str(args.gold),
        answerer=args.answerer,
        baselines=args.baselines,
        progress=True,
        history_turns=settings.history_turns,
        meta={"answerer": args.answerer or getattr(settings, "answerer", ""), "open_s": open_s},
    )
    failures = check_floors(ev.product.overall, floors)

    from rag.evaluation.report import summary, write_outputs

    try:
        write_outputs(ev, out_dir, floors=floors, floor_failures=failures)
    except OSError as exc:
        raise UsageError(
            f"cannot write to --out {out_dir} ({exc}): pick a writable directory."
        ) from None
    print(summary(ev))
    if ev.meta.get("fallbacks"):
        print(
            f"warning: {ev.meta['fallbacks']} answers fell back to another answerer "
            "(see fallback_reason in results.jsonl)",
            file=sys.stderr,
        )
    print(f"wrote {out_dir}/report.md, results.jsonl, metrics.json, chart.png")
    if failures:
        for failure in failures:
            print(f"rag eval: below floor: {failure}", file=sys.stderr)
        return 1
    return 0
