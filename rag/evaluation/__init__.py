"""Evaluation of the pipeline against gold question/answer files (`rag eval`).

Modules, one job each: textnorm (normalisation, overlap), gold (loading gold files),
corpus (manifest, article texts), records (what a system produced), metrics (pure scoring
and aggregation), gates (--min floors), runner (asking product and baselines), report
(report.md, results.jsonl, metrics.json), chart (chart.png), cli (the subcommand).

Importing this package is cheap: the pipeline, tqdm and matplotlib load only when run.
"""

from rag.evaluation.cli import register_cli, run_eval

__all__ = ["register_cli", "run_eval"]
