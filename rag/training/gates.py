"""Calibrate the extractive answerer's decline gates on gold files: measure, then sweep.

    python -m rag.training.gates seeds/gold/tune.jsonl seeds/gold/chat-tune.jsonl --out rows.json
    python -m rag.training.gates --rows rows.json other-rows.json   # sweep only

For every English item the product's own question path runs once (`Pipeline.request`, the
answerer's `analyse` and `gates`); the best sentence's answer is composed whatever the gates
say and checked against the gold answers. The sweep then replays the decision
(`Gates.passed`) for every combination of thresholds and prints the best ones next to the
shipped `Tuning`: answerable items count when passed and right, unanswerable ones when
declined. Never run it on a held-out file: what it prints is what you would tune on.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

from rag.answering.extractive import TUNING, ExtractiveAnswerer, Gates, Tuning
from rag.conversation import Histories
from rag.evaluation.gold import load_gold
from rag.evaluation.metrics import answer_matches

GRID = {
    "min_support": [0.0, 0.3, 0.34, 0.38, 0.42, 0.46],
    "min_evidence": [0.0, 0.5, 0.55, 0.6, 0.66, 0.72, 0.76, 0.8],
    "min_answer_probability": [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5],
}


def measure(gold_files: list[Path]) -> list[dict]:
    """One row per English item: its set, answerability, gate values and whether the best
    sentence's answer is right."""
    from rag.pipeline import Pipeline

    pipeline = Pipeline.open()
    answerer = ExtractiveAnswerer()
    rows = []
    for path in gold_files:
        histories = Histories(pipeline.settings.history_turns)
        for item in load_gold(path):
            history = histories.of(item.conversation)
            product = pipeline.ask(item.question, history=history)
            histories.add(item.conversation, item.question, product.answer)
            if product.small_talk:
                continue
            request = pipeline.request(item.question, history=history)
            if request.language != "en" or request.gloss:
                continue  # other languages go through the gloss and the cross-lingual rule
            info, q, sentences = answerer.analyse(request)
            gates = answerer.gates(request, info, q, sentences)
            right = False
            if item.answerable and sentences:
                chosen = answerer._choose(info, sentences, request.max_citations)
                forced = answerer._compose(request, chosen, info, q)
                right = answer_matches(forced.answer, item.answers, item.match)
            rows.append(
                {
                    "set": path.stem,
                    "id": item.id,
                    "answerable": item.answerable,
                    "right": right,
                    "gates": asdict(gates),
                }
            )
    return rows


def accuracy(rows: list[dict], tuning: Tuning) -> tuple[float, float, float]:
    """(overall, answerable right, unanswerable declined) of `rows` under `tuning`."""
    answerable = unanswerable = right = declined = 0
    for row in rows:
        gates = Gates(**{**row["gates"], "unknown_names": tuple(row["gates"]["unknown_names"])})
        passed = gates.passed(tuning)
        if row["answerable"]:
            answerable += 1
            right += passed and row["right"]
        else:
            unanswerable += 1
            declined += not passed
    total = answerable + unanswerable
    return (
        (right + declined) / total if total else 0.0,
        right / answerable if answerable else 0.0,
        declined / unanswerable if unanswerable else 0.0,
    )


def sweep(rows: list[dict], top: int = 10) -> None:
    """Print the shipped thresholds' figures and the `top` combinations by mean overall
    accuracy across sets (each set weighs the same, whatever its size)."""
    sets = sorted({r["set"] for r in rows})
    by_set = {s: [r for r in rows if r["set"] == s] for s in sets}

    def figures(tuning: Tuning) -> tuple[float, list[tuple[float, float, float]]]:
        per_set = [accuracy(by_set[s], tuning) for s in sets]
        return sum(f[0] for f in per_set) / len(per_set), per_set

    def show(label: str, tuning: Tuning) -> None:
        mean, per_set = figures(tuning)
        cells = "  ".join(
            f"{s}={o:.3f} ({a:.2f}/{u:.2f})" for s, (o, a, u) in zip(sets, per_set, strict=True)
        )
        print(f"{label}  mean={mean:.3f}  {cells}")

    show("shipped", TUNING)
    results = []
    for values in itertools.product(*GRID.values()):
        tuning = replace(TUNING, **dict(zip(GRID, values, strict=True)))
        results.append((figures(tuning)[0], values, tuning))
    results.sort(key=lambda r: r[0], reverse=True)
    print("(overall (answerable right / unanswerable declined) per set)")
    for _, values, tuning in results[:top]:
        show(" ".join(f"{k}={v}" for k, v in zip(GRID, values, strict=True)), tuning)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="*", type=Path, help="gold files to measure")
    parser.add_argument("--out", type=Path, help="write the measured rows here")
    parser.add_argument("--rows", nargs="*", type=Path, default=[], help="rows measured before")
    args = parser.parse_args(argv)
    rows = [row for path in args.rows for row in json.loads(path.read_text())]
    if args.gold:
        measured = measure(args.gold)
        if args.out:
            args.out.write_text(json.dumps(measured))
        rows += measured
    if not rows:
        parser.error("give gold files to measure or --rows to sweep")
    sweep(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
