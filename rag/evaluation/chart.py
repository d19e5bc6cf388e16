"""chart.png: answer accuracy and hit@5 by kind, product vs the baselines (grouped bars)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.evaluation.runner import Evaluation

PANELS = (("answer_accuracy", "Answer accuracy"), ("hit@5", "Retrieval hit@5"))
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")


def write_chart(ev: Evaluation, path: Path) -> Path:
    """Draw the grouped bar chart into `path` (PNG) with matplotlib's Agg backend."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    systems = list(ev.systems.values())
    kinds = ["overall", *ev.product.kinds]
    labels = [f"overall\n(n={ev.product.overall['n']})"] + [
        f"{kind}\n(n={ev.product.kinds[kind]['n']})" for kind in ev.product.kinds
    ]
    width = 0.8 / len(systems)
    fig_width = max(8.0, 1.1 * len(kinds) + 2)
    fig, axes = plt.subplots(len(PANELS), 1, figsize=(fig_width, 4.2 * len(PANELS)), sharex=True)
    for ax, (key, title) in zip(axes, PANELS, strict=True):
        for i, system in enumerate(systems):
            values = [
                system.overall.get(key) if kind == "overall" else system.kinds[kind].get(key)
                for kind in kinds
            ]
            xs = [x + (i - (len(systems) - 1) / 2) * width for x in range(len(kinds))]
            heights = [math.nan if v is None else v for v in values]
            bars = ax.bar(
                xs, heights, width, label=system.spec.label, color=COLOURS[i % len(COLOURS)]
            )
            for bar, v in zip(bars, values, strict=True):
                text = "n/a" if v is None else f"{v:.2f}"
                y = 0.02 if v is None else v + 0.02
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    y,
                    text,
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    rotation=90,
                )
        ax.set_title(title)
        ax.set_ylim(0, 1.25)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.set_ylabel("share of items")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="upper right", fontsize=8, ncol=len(systems))
    axes[-1].set_xticks(range(len(kinds)))
    axes[-1].set_xticklabels(labels, rotation=30, ha="right", fontsize=9)
    fig.suptitle(f"rag eval: {Path(ev.gold_path).name or 'gold'}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
