"""`rag bench`: throughput, latency, memory and index size of the bot, measured on this machine.

Modules, one job each: corpus (seed passages, the 3,824-article corpus, questions), stats
(percentiles, disk usage, memory, profiles), throughput (embedder and ingest), latency (warm
`ask`), probe (cold start and bot memory, in subprocesses), server (a throw-away `chroma run`),
million (a million vectors in that server), report (targets, sizing rule, bench.json/.md),
cli (the subcommand).

Importing this package is cheap: the pipeline and the model load only when the bench runs.
"""

from rag.bench.cli import register_cli, run_bench

__all__ = ["register_cli", "run_bench"]
