"""SQuAD 2.0 as a corpus the product can ingest, and as gold questions it can be scored on.

Each Wikipedia article becomes one `.txt` file (its paragraphs separated by blank lines) with
outlet "Wikipedia" in a `sources.json` manifest, so `rag ingest` and `rag eval` treat it like
any news corpus. Questions become gold items in the project's schema: answerable ones with
their answer spans (`match: any`) and the sentence around the span as evidence, unanswerable
ones (`is_impossible`) as kind `unanswerable`.

The split is by article, never by question: a model is judged on paragraphs it has not seen.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SQUAD_FILES = ("train-first10.json", "dev-articles-b.json")
# Articles held out for validation (of dev-articles-b.json, whose questions are half
# unanswerable like the benchmark the product is measured on). Everything else trains.
VALIDATION_ARTICLES = ("Islamism", "Warsaw", "Force")
OUTLET = "Wikipedia"
PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True)
class SquadQuestion:
    """One SQuAD question placed in its article's text."""

    id: str
    article: str  # doc id of the article file
    question: str
    answers: tuple[str, ...]  # empty when unanswerable
    answer_starts: tuple[int, ...]  # offsets in the article text
    context_start: int  # the paragraph's offset in the article text
    context: str

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass
class SquadArticle:
    doc: str
    title: str
    text: str
    questions: list[SquadQuestion]


def doc_id(title: str) -> str:
    """A file-name-safe id for an article title ('Frédéric_Chopin' -> 'wiki_frederic_chopin')."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return "wiki_" + re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def load_articles(squad_dir: str | Path, max_paragraphs: int | None = None) -> list[SquadArticle]:
    """Every article of the SQuAD files in `squad_dir`, with questions placed in its text
    (with `max_paragraphs`, only each article's first paragraphs: a quick run)."""
    articles = []
    for name in SQUAD_FILES:
        path = Path(squad_dir) / name
        data = json.loads(path.read_text(encoding="utf-8"))["data"]
        for entry in data:
            articles.append(_article(entry, max_paragraphs))
    return articles


def _article(entry: dict, max_paragraphs: int | None = None) -> SquadArticle:
    title = entry["title"]
    doc = doc_id(title)
    parts: list[str] = []
    questions: list[SquadQuestion] = []
    offset = 0
    for paragraph in entry["paragraphs"][:max_paragraphs]:
        context = paragraph["context"].strip()
        lead = len(paragraph["context"]) - len(paragraph["context"].lstrip())
        for qa in paragraph["qas"]:
            answers = tuple(a["text"] for a in qa.get("answers", []))
            starts = tuple(offset + a["answer_start"] - lead for a in qa.get("answers", []))
            if qa.get("is_impossible"):
                answers, starts = (), ()
            questions.append(
                SquadQuestion(
                    qa["id"], doc, qa["question"].strip(), answers, starts, offset, context
                )
            )
        parts.append(context)
        offset += len(context) + len(PARAGRAPH_BREAK)
    return SquadArticle(doc, title.replace("_", " "), PARAGRAPH_BREAK.join(parts), questions)


def split(articles: list[SquadArticle]) -> tuple[list[SquadArticle], list[SquadArticle]]:
    """(training, validation) articles."""
    held = {doc_id(t) for t in VALIDATION_ARTICLES}
    return [a for a in articles if a.doc not in held], [a for a in articles if a.doc in held]


def write_corpus(articles: list[SquadArticle], folder: str | Path) -> Path:
    """Write `articles` as `<doc>.txt` files plus `sources.json`; returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = []
    for article in articles:
        (folder / f"{article.doc}.txt").write_text(article.text + "\n", encoding="utf-8")
        manifest.append({"doc": article.doc, "outlet": OUTLET, "title": article.title})
    (folder / "sources.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder


def evidence_sentence(article: SquadArticle, q: SquadQuestion) -> str:
    """The sentence of the paragraph holding the first answer span (verbatim article text)."""
    start = q.answer_starts[0]
    end = start + len(q.answers[0])
    para_start, para_end = q.context_start, q.context_start + len(q.context)
    text = article.text
    left = max(text.rfind(". ", para_start, start) + 2, para_start)
    right = text.find(". ", end, para_end)
    right = para_end if right < 0 else right + 1
    return text[left:right].strip()


def gold_items(articles: list[SquadArticle], n: int | None = None, seed: int = 0) -> Iterator[dict]:
    """Gold items in the project's schema; with `n`, a sample of n, half unanswerable."""
    questions = [(a, q) for a in articles for q in a.questions]
    if n is not None:
        rng = random.Random(seed)
        answerable = [x for x in questions if x[1].answerable]
        impossible = [x for x in questions if not x[1].answerable]
        half = n // 2
        questions = rng.sample(answerable, min(half, len(answerable))) + rng.sample(
            impossible, min(n - half, len(impossible))
        )
        rng.shuffle(questions)
    for article, q in questions:
        item = {
            "id": f"squad-{q.id}",
            "question": q.question,
            "answerable": q.answerable,
            "answers": list(dict.fromkeys(q.answers)),
            "match": "any",
            "sources": [],
            "kind": "factoid" if q.answerable else "unanswerable",
        }
        if q.answerable:
            item["sources"] = [
                {"doc": article.doc, "outlet": OUTLET, "evidence": evidence_sentence(article, q)}
            ]
        yield item


def write_benchmark(squad_dir: str | Path, out: str | Path, n: int = 320, seed: int = 0) -> Path:
    """The validation articles as a corpus under `out/corpus` and `n` of their questions
    (half unanswerable) as `out/gold.jsonl`: `RAG_SEEDS_DIR=out/corpus rag eval out/gold.jsonl`."""
    out = Path(out)
    _, validation = split(load_articles(squad_dir))
    write_corpus(validation, out / "corpus")
    with (out / "gold.jsonl").open("w", encoding="utf-8") as fh:
        for item in gold_items(validation, n, seed):
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    return out
