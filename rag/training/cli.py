"""The `rag train-answerer` and `rag squad-benchmark` subcommands."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rag.config import PROJECT_ROOT
from rag.errors import UsageError

DEFAULT_SQUAD_DIR = PROJECT_ROOT.parent / "shared" / "data" / "squad2"


def _squad_dir(path: Path) -> Path:
    from rag.training.squad import SQUAD_FILES

    missing = [name for name in SQUAD_FILES if not (path / name).is_file()]
    if missing:
        raise UsageError(
            f"{path} lacks {', '.join(missing)}: pass --squad DIR, the folder holding the "
            "SQuAD 2.0 files (see ../shared/data/squad2/README.md)."
        )
    return path


def register_cli(subparsers: Any) -> None:
    """Add both subcommands to the `rag` parser."""
    p = subparsers.add_parser(
        "train-answerer",
        help="retrain the answer selector from SQuAD 2.0 and the gold sets (needs '.[train]')",
    )
    p.add_argument("--squad", type=Path, default=DEFAULT_SQUAD_DIR, metavar="DIR")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="where to write the model")
    p.add_argument(
        "--limit", type=int, default=None, metavar="N", help="a quick run: N paragraphs per article"
    )
    p.set_defaults(handler=run_train)

    p = subparsers.add_parser(
        "squad-benchmark",
        help="write the held-out SQuAD articles as a corpus plus gold questions for `rag eval`",
    )
    p.add_argument("out", type=Path, metavar="DIR")
    p.add_argument("--squad", type=Path, default=DEFAULT_SQUAD_DIR, metavar="DIR")
    p.add_argument("-n", type=int, default=320, help="questions, half unanswerable (320)")
    p.set_defaults(handler=run_benchmark)


def run_train(args: argparse.Namespace, settings: Any) -> int:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise UsageError(
            "Training needs scikit-learn: pip install -e '.[train]' (answering does not)."
        ) from None
    from rag.answering.selector import MODEL_NAME
    from rag.training.answerer import MODEL_DIR, main

    report = main(_squad_dir(args.squad), args.out or MODEL_DIR, args.limit)
    print(json.dumps({k: report[k] for k in ("calibration", "validation")}, indent=1))
    print(f"wrote {Path(report['model']).parent / MODEL_NAME}")
    return 0


def run_benchmark(args: argparse.Namespace, settings: Any) -> int:
    from rag.training.squad import write_benchmark

    out = write_benchmark(_squad_dir(args.squad), args.out, n=args.n)
    print(
        f"wrote {out / 'corpus'} and {out / 'gold.jsonl'}; score with:\n"
        f"  RAG_SEEDS_DIR={out / 'corpus'} RAG_DATA_DIR={out / 'index'} "
        f"rag eval {out / 'gold.jsonl'}"
    )
    return 0
