"""`--min METRIC=VALUE` floors: parsing them and checking a run against them."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from rag.errors import UsageError
from rag.evaluation.metrics import METRIC_KEYS


def parse_floors(specs: Sequence[str]) -> dict[str, float]:
    """Parse `METRIC=VALUE` strings; raise UsageError on anything malformed."""
    floors: dict[str, float] = {}
    for spec in specs:
        name, sep, raw = spec.partition("=")
        name, raw = name.strip(), raw.strip()
        if not sep or not name or not raw:
            raise UsageError(
                f"--min {spec!r} is malformed: write METRIC=VALUE, e.g. --min answer_accuracy=0.8."
            )
        if name not in METRIC_KEYS:
            raise UsageError(
                f"--min: unknown metric {name!r}; use one of: {', '.join(METRIC_KEYS)}."
            )
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise UsageError(f"--min {spec!r}: {raw!r} is not a number; write e.g. {name}=0.8.")
        floors[name] = value
    return floors


def check_floors(
    metrics: Mapping[str, float | int | None], floors: Mapping[str, float]
) -> list[str]:
    """One message per metric below its floor; a metric that could not be measured fails."""
    failures: list[str] = []
    for name, floor in floors.items():
        value = metrics.get(name)
        if value is None:
            failures.append(f"{name} could not be measured on this gold set (floor {floor:g})")
        elif value < floor:
            failures.append(f"{name} = {value:.4g} is below the floor {floor:g}")
    return failures
