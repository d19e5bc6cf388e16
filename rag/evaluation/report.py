"""Writing an evaluation out: terminal summary, report.md, results.jsonl, metrics.json."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rag.evaluation.metrics import CONCISE_MAX_CHARS, HEADLINE_KEYS, METRIC_KEYS, ratios
from rag.evaluation.runner import Evaluation, SystemResult

GroupMetrics = Mapping[str, Mapping[str, float | int | None]]

# Columns of the per-kind tables (everything but the process-wide peak memory).
KIND_KEYS = tuple(k for k in METRIC_KEYS if k != "peak_rss_mb")
FAILURE_TEXT_CHARS = 240
# What the breakdowns compare across systems: in the terminal summary, and in report.md.
KEYS_ACCURACY = ("answer_accuracy",)
KEYS_COMPARED = ("answer_accuracy", "hit@5")

DEFINITIONS = f"""\
- **answer_accuracy**: answerable items: not declined and the answer contains the expected
  strings (`match` any/all; case-, width- and diacritic-insensitive). Unanswerable items:
  declined with no citations.
- **concise_accuracy**: correct and at most {CONCISE_MAX_CHARS} characters.
- **hit@k / mrr@10**: over the first 10 passages the system retrieved (for the product,
  `Answer.retrieved`), answerable items only. A passage is relevant when it overlaps an
  evidence string of the item (NFKC + casefold + collapsed whitespace; a common run of
  >= 30 characters, or one contains the other).
- **citation_precision**: share of cited passages that overlap the evidence (answerable items
  that cite anything). **citation_hit**: at least one does (answerable items).
  **source_recall**: share of an item's gold sources some citation overlaps (matters for
  multi-doc items).
- **outlet_accuracy**: share of citations whose outlet is non-empty and equals the manifest
  outlet of their article. **verbatim_rate**: share of cited passages found verbatim in
  `<corpus>/<doc>.txt`.
- **abstention_rate**: unanswerable items declined with no citations.
  **false_abstention_rate**: answerable items declined (lower is better).
- **latency**: wall time around `Pipeline.ask` (baselines: around `Pipeline.retrieve`).
  **peak_rss_mb**: the evaluation process's peak resident memory after the product's run.
- Baselines answer every question with their top passage + " [1]" (one citation) and decline
  only when retrieval is empty. `n/a`: nothing to measure (e.g. no unanswerable items).
"""


def fmt(key: str, value: float | int | None) -> str:
    """A metric value as shown in tables."""
    if value is None:
        return "n/a"
    if key in ("n", "n_answerable", "n_failed", "errors"):
        return str(int(value))
    if key in ("mean_answer_chars", "peak_rss_mb"):
        return f"{value:.0f}"
    if key.startswith("latency"):
        return f"{value:.3f}"
    return f"{value:.3f}"


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _overall_rows(ev: Evaluation) -> tuple[list[str], list[list[str]]]:
    product = ev.product
    header = ["metric", *(s.spec.name for s in ev.systems.values())]
    header += [f"{product.spec.name}/{b.spec.name}" for b in ev.baselines]
    ratio_maps = [ratios(product.overall, b.overall) for b in ev.baselines]
    rows = []
    for key in METRIC_KEYS:
        row = [key, *(fmt(key, s.overall.get(key)) for s in ev.systems.values())]
        row += [fmt_ratio(r[key]) if key in HEADLINE_KEYS else "" for r in ratio_maps]
        rows.append(row)
    return header, rows


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)


def _cell(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _short(text: str, limit: int = FAILURE_TEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _breakdowns(system: SystemResult) -> list[tuple[str, str, GroupMetrics]]:
    """(heading, column name, groups) of each breakdown the gold supports: by kind always, by
    turn position when some item is a conversation turn, by language when some item says."""
    parts = [("kind", "kind", system.kinds)]
    if system.turns:
        parts.append(("turn position", "turn", system.turns))
    if system.langs:
        parts.append(("language", "lang", system.langs))
    return parts


def summary(ev: Evaluation) -> str:
    """The terminal summary: overall metrics, product vs baselines, accuracy by turn and by
    language when the gold has them, then failures count."""
    p = ev.product.overall
    head = (
        f"rag eval {ev.gold_path}: {p['n']} items ({p['n_answerable']} answerable), "
        f"answerer {ev.meta.get('answerer') or 'default'}"
    )
    header, rows = _overall_rows(ev)
    parts = [head, "", text_table(header, rows)]
    for index, (heading, column, _) in enumerate(_breakdowns(ev.product)):
        if index:  # the by-kind table is long: it stays in report.md
            group_header, group_rows = _group_rows(ev, index, column, KEYS_ACCURACY)
            parts += ["", f"answer accuracy by {heading}", text_table(group_header, group_rows)]
    tail = f"{p['n_failed']} of {p['n']} product items failed; details in report.md"
    return "\n".join([*parts, "", tail])


def _group_rows(
    ev: Evaluation, index: int, column: str, keys: Sequence[str]
) -> tuple[list[str], list[list[str]]]:
    """Breakdown `index` of `_breakdowns` compared across systems, one column per system and key."""
    systems = list(ev.systems.values())
    groups = [_breakdowns(s)[index][2] for s in systems]
    header = [column, "n"]
    for key in keys:
        label = "accuracy" if key == "answer_accuracy" else key
        header += [f"{label} {s.spec.name}" for s in systems]
    rows = []
    for name, m in groups[0].items():
        row = [name, fmt("n", m["n"])]
        for key in keys:
            row += [fmt(key, g[name][key]) for g in groups]
        rows.append(row)
    return header, rows


def _group_table(column: str, groups: GroupMetrics) -> str:
    rows = [[name, *(fmt(k, m.get(k)) for k in KIND_KEYS)] for name, m in groups.items()]
    return md_table([column, *KIND_KEYS], rows)


def _failures(ev: Evaluation, system: SystemResult) -> str:
    rows = []
    for item, out, score in zip(ev.items, system.outputs, system.scores, strict=True):
        if not score.failed:
            continue
        got = "(declined) " + out.answer if out.abstained else out.answer
        outlets = ", ".join(f"[{n}] {c.outlet or '?'}" for n, c in enumerate(out.citations, 1))
        rows.append(
            [
                item.id,
                item.kind,
                _short(item.question),
                _short(item.expected_text()),
                _short(got) or "(empty)",
                outlets or "none",
                "; ".join(score.reasons),
            ]
        )
    if not rows:
        return "None."
    return md_table(["id", "kind", "question", "expected", "got", "cited outlets", "why"], rows)


def report_markdown(ev: Evaluation, chart_name: str | None = "chart.png") -> str:
    p = ev.product.overall
    meta = ev.meta
    parts = [
        "# Evaluation report",
        "",
        f"- gold: `{ev.gold_path}` ({p['n']} items, {p['n_answerable']} answerable)",
        f"- answerer requested: {meta.get('answerer') or 'default'}; "
        f"used: {', '.join(meta.get('answerers_used', [])) or 'n/a'}; "
        f"fallbacks: {meta.get('fallbacks', 0)}",
        f"- corpus: `{meta.get('corpus_dir', '')}`; pipeline open: {meta.get('open_s', 'n/a')} s; "
        f"warm-up query: {meta.get('warmup_s', 'n/a')} s",
        "",
        "## Overall: product vs baselines",
        "",
    ]
    header, rows = _overall_rows(ev)
    parts += [md_table(header, rows), ""]
    if chart_name:
        parts += [f"![answer accuracy and hit@5 by kind]({chart_name})", ""]
    for index, (heading, column, _) in enumerate(_breakdowns(ev.product)):
        header, rows = _group_rows(ev, index, column, KEYS_COMPARED)
        parts += [f"## By {heading}", "", "### Answer accuracy and hit@5", ""]
        parts += [md_table(header, rows), ""]
        for system in ev.systems.values():
            groups = _breakdowns(system)[index][2]
            parts += [f"### All metrics: {system.spec.label}", "", _group_table(column, groups)]
            parts.append("")
    parts += [f"## Failures: {ev.product.spec.label}", "", _failures(ev, ev.product), ""]
    for b in ev.baselines:
        parts.append(
            f"- {b.spec.label}: {b.overall['n_failed']} of {b.overall['n']} failed "
            "(per item in results.jsonl)"
        )
    parts += ["", "## Definitions", "", DEFINITIONS]
    return "\n".join(parts)


def result_lines(ev: Evaluation) -> list[dict[str, Any]]:
    """One record per question per system."""
    lines = []
    for system in ev.systems.values():
        for item, out, score in zip(ev.items, system.outputs, system.scores, strict=True):
            lines.append(
                {
                    "id": item.id,
                    "kind": item.kind,
                    "conversation": item.conversation,
                    "turn": item.turn,
                    "lang": item.lang,
                    "system": system.spec.name,
                    "question": item.question,
                    "expected": {
                        "answerable": item.answerable,
                        "answers": list(item.answers),
                        "match": item.match,
                    },
                    "answer": out.answer,
                    "abstained": out.abstained,
                    "citations": [
                        {"n": n, "doc": c.doc, "outlet": c.outlet, "passage": c.text}
                        for n, c in enumerate(out.citations, 1)
                    ],
                    "citation_outlets": [c.outlet for c in out.citations],
                    "retrieved_docs": [r.doc for r in out.retrieved],
                    "latency_s": round(out.latency_s, 4),
                    "answerer": out.answerer,
                    "fallback_reason": out.fallback_reason,
                    "search_query": out.search_query,
                    "error": out.error,
                    "scores": score.to_json(),
                }
            )
    return lines


def metrics_document(
    ev: Evaluation, floor_failures: Sequence[str] = (), floors: Mapping[str, float] | None = None
) -> dict[str, Any]:
    return {
        "gold": ev.gold_path,
        "meta": ev.meta,
        "systems": {
            name: {
                "label": s.spec.label,
                "overall": s.overall,
                "by_kind": s.kinds,
                "by_turn": s.turns,
                "by_lang": s.langs,
            }
            for name, s in ev.systems.items()
        },
        "ratios": {b.spec.name: ratios(ev.product.overall, b.overall) for b in ev.baselines},
        "floors": dict(floors or {}),
        "floor_failures": list(floor_failures),
    }


def write_outputs(
    ev: Evaluation,
    out_dir: Path,
    *,
    chart: bool = True,
    floors: Mapping[str, float] | None = None,
    floor_failures: Sequence[str] = (),
) -> list[Path]:
    """Write report.md, results.jsonl, metrics.json (and chart.png) into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    chart_name = None
    if chart:
        from rag.evaluation.chart import write_chart

        chart_path = write_chart(ev, out_dir / "chart.png")
        chart_name = chart_path.name
        written.append(chart_path)
    report = out_dir / "report.md"
    report.write_text(report_markdown(ev, chart_name), encoding="utf-8")
    results = out_dir / "results.jsonl"
    with results.open("w", encoding="utf-8") as fh:
        for line in result_lines(ev):
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    metrics = out_dir / "metrics.json"
    doc = metrics_document(ev, floor_failures, floors)
    metrics.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [report, results, metrics, *written]
