"""Train the cross-encoder of rag.answering.cross_encoder (torch, CPU, fixed seed).

    python -m rag.training.cross_encoder [--squad DIR] [--epochs N] [--limit N] [--out DIR]

Data, split by article as rag.training.squad.split:
- SQuAD 2.0: per question, the sentences of its own paragraph plus EXTRA_SENTENCES from other
  paragraphs of its article; a sentence is positive when it holds an answer span, and every
  sentence of an unanswerable question is negative. A share of the training questions is added
  again typed as in a chat (rag.training.answerer.chat_typed), so typos and lower case are seen.
- The project's tune gold (TRAIN_GOLD, never the dev or held-out files) over the seed articles:
  the sentence holding the item's evidence is positive; the negatives are the corpus sentences
  closest to the question by USE cosine (the near misses retrieval would offer) and a few at
  random. Each item also comes once typed as in a chat.
Per-sentence binary cross-entropy. Prints, per epoch, how often the right sentence ranks first
and the answerability AUC of the best sentence's probability, on the held-out SQuAD articles as
written and as typed in a chat, and on the training articles (the gap shows overfitting). Writes
the weights as `.npz` plus its `.sha256`.
"""

from __future__ import annotations

import argparse
import hashlib
import random
from pathlib import Path

import numpy as np

from rag.answering.cross_encoder import HASH_NAME, MODEL_DIR, MODEL_NAME, RAW
from rag.answering.grounding import sentences
from rag.chunking import sentences as passage_sentences
from rag.config import PROJECT_ROOT
from rag.evaluation.gold import load_gold
from rag.evaluation.textnorm import fold_answer
from rag.training import squad
from rag.training.cli import DEFAULT_SQUAD_DIR

SEED = 0
EXTRA_SENTENCES = 4
CHAT_NOISE_SHARE = 0.35  # of SQuAD training questions added again as typed in a chat
TRAIN_GOLD = (
    "tune.jsonl",
    "chat-tune.jsonl",
    "conversations-tune.jsonl",
    "crosslingual-tune.jsonl",
)
GOLD_NEAR_NEGATIVES = 8  # corpus sentences closest to a gold question, as its negatives
GOLD_RANDOM_NEGATIVES = 3
GOLD_COPIES = 3  # each gold item this many times (new random negatives, one copy chat-typed)
HIDDEN = 96
COMPARE = 64
LEARNING_RATE = 1e-3

Row = tuple[str, list[str], list[bool], bool]  # question, candidates, labels, answerable


def build_rows(articles: list[squad.SquadArticle], rng: random.Random) -> list[Row]:
    """Candidate sentences and labels for every question of `articles`."""
    rows: list[Row] = []
    for article in articles:
        paragraphs = article.text.split(squad.PARAGRAPH_BREAK)
        split_paragraphs = [sentences(p) for p in paragraphs]
        for q in article.questions:
            own = paragraphs.index(q.context)
            candidates = list(split_paragraphs[own])
            labels = [
                q.answerable and any(a.lower() in s.lower() for a in q.answers) for s in candidates
            ]
            if q.answerable and not any(labels):
                continue  # the span crosses a sentence boundary
            others = [s for j, ps in enumerate(split_paragraphs) if j != own for s in ps]
            extra = rng.sample(others, min(EXTRA_SENTENCES, len(others)))
            rows.append(
                (q.question, candidates + extra, labels + [False] * len(extra), q.answerable)
            )
    return rows


def with_chat_noise(rows: list[Row], rng: random.Random) -> list[Row]:
    """`rows` plus a chat-typed copy of a CHAT_NOISE_SHARE of them."""
    from rag.training.answerer import chat_typed

    noisy = [(chat_typed(r[0], rng), *r[1:]) for r in rows if rng.random() < CHAT_NOISE_SHARE]
    return rows + noisy


def corpus_sentences(corpus: Path) -> dict[str, list[str]]:
    """Article id -> its sentences, split as the answerer splits passages."""
    out = {}
    for path in sorted(corpus.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out[path.stem] = passage_sentences(text)
    return out


def gold_rows(corpus: Path, names: tuple[str, ...], embed, rng: random.Random) -> list[Row]:
    """Training rows from the project's tune gold over `corpus` (see the module docstring)."""
    from rag.training.answerer import chat_typed

    articles = corpus_sentences(corpus)
    every = [s for ss in articles.values() for s in ss]
    vectors = embed(every)
    rows: list[Row] = []
    for name in names:
        path = PROJECT_ROOT / "seeds" / "gold" / name
        if not path.is_file():
            continue
        for item in load_gold(path):
            if item.turn != 1:
                continue  # later turns need their conversation
            evidence = [fold_answer(src.evidence) for src in item.sources]
            positive = {
                i
                for i, s in enumerate(every)
                if item.answerable and any(e and e in fold_answer(s) for e in evidence)
            }
            if item.answerable and not positive:
                continue  # the evidence crosses a sentence boundary
            closeness = vectors @ embed([item.question])[0]
            near = [int(i) for i in np.argsort(-closeness) if int(i) not in positive]
            for copy in range(GOLD_COPIES):
                others = near[GOLD_NEAR_NEGATIVES:]
                chosen = sorted(positive) + near[:GOLD_NEAR_NEGATIVES]
                chosen += rng.sample(others, min(GOLD_RANDOM_NEGATIVES, len(others)))
                question = chat_typed(item.question, rng) if copy == 1 else item.question
                rows.append(
                    (
                        question,
                        [every[i] for i in chosen],
                        [i in positive for i in chosen],
                        item.answerable,
                    )
                )
    return rows


def _torch_model():
    import torch
    from torch import nn
    from torch.nn import functional as F

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.proj = nn.Linear(2 * RAW, HIDDEN)
            self.comp = nn.Sequential(nn.Linear(4 * HIDDEN + 2, COMPARE), nn.ReLU())
            self.imp = nn.Linear(HIDDEN + 2, 1)
            self.out = nn.Sequential(nn.Linear(2 * COMPARE, 32), nn.ReLU(), nn.Linear(32, 1))

        def forward(self, q, s, mask):
            k = s.shape[0]
            hq = torch.tanh(self.proj(q)).unsqueeze(0).expand(k, -1, -1)
            hs = torch.tanh(self.proj(s))
            att = (hq @ hs.transpose(1, 2)).masked_fill(~mask.unsqueeze(1), -1e4)
            aligned = torch.softmax(att, -1) @ hs

            def best(a, b):
                c = F.normalize(a, dim=-1).unsqueeze(0) @ F.normalize(b, dim=-1).transpose(1, 2)
                return c.masked_fill(~mask.unsqueeze(1), -1).max(-1).values.unsqueeze(-1)

            b_raw, b_ctx = best(q[:, :RAW], s[:, :, :RAW]), best(q[:, RAW:], s[:, :, RAW:])
            c = self.comp(
                torch.cat([hq, aligned, hq * aligned, (hq - aligned).abs(), b_raw, b_ctx], -1)
            )
            w = torch.softmax(self.imp(torch.cat([hq, b_raw, b_ctx], -1)).squeeze(-1), -1)
            pooled = torch.cat([(w.unsqueeze(-1) * c).sum(1), c.max(1).values], -1)
            return self.out(pooled).squeeze(-1)

    return Model()


def train(rows: list[Row], checks: dict[str, list[Row]], features, epochs: int):
    """Train on `rows`, report on each of `checks` every epoch; returns the torch model."""
    import torch
    from torch.nn import functional as F

    torch.manual_seed(SEED)
    model = _torch_model()
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    rng = random.Random(SEED)

    def logits(row: Row):
        q = torch.from_numpy(features(row[0]))
        toks = [torch.from_numpy(features(t)) for t in row[1]]
        n = max(t.shape[0] for t in toks)
        s = torch.zeros(len(toks), n, 2 * RAW)
        mask = torch.zeros(len(toks), n, dtype=torch.bool)
        for i, t in enumerate(toks):
            s[i, : t.shape[0]], mask[i, : t.shape[0]] = t, True
        return model(q, s, mask)

    for epoch in range(epochs):
        order = list(rows)
        rng.shuffle(order)
        for row in order:
            loss = F.binary_cross_entropy_with_logits(logits(row), torch.tensor(row[2]).float())
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            for name, held in checks.items():
                figures = validation(held, lambda r: logits(r).numpy())
                print(f"epoch {epoch + 1}, {name}: {figures}", flush=True)
    return model


def validation(held: list[Row], score) -> dict[str, float]:
    """Right sentence first (answerable) and the answerability AUC of the best score."""
    from sklearn.metrics import roc_auc_score

    firsts, best, answerable = [], [], []
    for row in held:
        s = score(row)
        best.append(float(s.max()))
        answerable.append(row[3])
        if row[3]:
            firsts.append(row[2][int(s.argmax())])
    return {
        "right_first": round(float(np.mean(firsts)), 3),
        "answerable_auc": round(float(roc_auc_score(answerable, best)), 3),
    }


def export(model, out: Path) -> Path:
    """Write the weights and their sha256; returns the model file."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / MODEL_NAME
    arrays = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    with path.open("wb") as fh:
        np.savez(fh, **arrays)
    (out / HASH_NAME).write_text(hashlib.sha256(path.read_bytes()).hexdigest() + "\n")
    return path


def main(argv: list[str] | None = None) -> None:
    """The command line above."""
    from rag.embedding_multilingual import shared_multilingual_embedder

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--squad", type=Path, default=DEFAULT_SQUAD_DIR)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--limit", type=int, default=None, help="paragraphs per article (quick run)")
    p.add_argument("--out", type=Path, default=MODEL_DIR)
    args = p.parse_args(argv)
    rng = random.Random(SEED)
    training, held = squad.split(squad.load_articles(args.squad, args.limit))
    embedder = shared_multilingual_embedder()
    squad_rows = build_rows(training, rng)
    rows = with_chat_noise(squad_rows, rng)
    rows += gold_rows(PROJECT_ROOT / "seeds" / "corpus", TRAIN_GOLD, embedder.embed, rng)
    held_rows = build_rows(held, rng)
    checks = {
        "held-out SQuAD": held_rows,
        "held-out SQuAD, chat-typed": with_chat_noise_only(held_rows, rng),
        "training SQuAD (sample)": rng.sample(squad_rows, min(1000, len(squad_rows))),
    }
    texts = sorted(
        {t for r in rows + [r for c in checks.values() for r in c] for t in (r[0], *r[1])}
    )
    print(f"{len(rows):,} training questions; token features of {len(texts):,} texts", flush=True)
    cache = dict(zip(texts, embedder.token_features(texts), strict=True))
    model = train(rows, checks, cache.__getitem__, args.epochs)
    print(f"wrote {export(model, args.out)}")


def with_chat_noise_only(rows: list[Row], rng: random.Random) -> list[Row]:
    """Every row of `rows` with its question typed as in a chat."""
    from rag.training.answerer import chat_typed

    return [(chat_typed(r[0], rng), *r[1:]) for r in rows]


if __name__ == "__main__":
    main()
