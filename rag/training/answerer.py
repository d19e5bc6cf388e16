"""`rag train-answerer`: rebuild the answer selector from SQuAD 2.0 and the project's gold.

Reproducible: fixed seeds, data split by article (rag.training.squad), one command. Steps:
1. Index the SQuAD training articles and the seed corpus in throw-away data directories
   and run every training question through the real question path (`Pipeline.request`),
   so features are computed exactly as at question time. A share of the questions is typed
   again as people type in a chat (lower case, no question mark, a typo, chat spellings).
2. Label each candidate sentence: does it contain one of the question's answers?
3. Sentence model: a small network, trained on all training articles.
4. Decision model: a logistic regression over question-level features, trained on
   out-of-fold sentence probabilities (5 folds by article), so that it sees the sentence
   model as it behaves on articles it has not seen. For each threshold the report gives,
   per domain (SQuAD, the project's gold), the mean of "answerable questions answered
   right" and "unanswerable questions declined": what the answerer's
   Tuning.min_answer_probability is chosen from, together with the hand-set gates.
5. Validation on the held-out SQuAD articles, dev and the latest blind tune files (CHECK_GOLD:
   never the project's held-out gold), printed.

scikit-learn is needed here only (`pip install -e '.[train]'`); questions are answered with
numpy alone.
"""

from __future__ import annotations

import json
import logging
import pickle
import random
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.answering.extractive import TUNING, ExtractiveAnswerer
from rag.answering.features import DECISION_FEATURES, SENTENCE_FEATURES, decision_row
from rag.answering.selector import Dense, Network, Selector, save
from rag.config import PROJECT_ROOT, Settings
from rag.evaluation.gold import load_gold
from rag.evaluation.textnorm import contains_answer
from rag.lexicon import english
from rag.pipeline import Pipeline
from rag.training import squad

log = logging.getLogger(__name__)

SEED = 0
FOLDS = 5
CHAT_NOISE_SHARE = 0.35  # of training questions also typed as in a chat
QUESTIONS_PER_ARTICLE = 260  # SQuAD questions kept per training article, unanswerable first
NEGATIVES_PER_QUESTION = 16  # sentence-model training rows without the answer, per question
SEED_GOLD_WEIGHT = 20.0  # the project's own questions count this many times a SQuAD one
HIDDEN_UNITS = 32
MODEL_DIR = PROJECT_ROOT / "rag" / "answering" / "models"
TRAIN_GOLD = ("tune.jsonl", "chat-tune.jsonl", "conversations-tune.jsonl")
# Figures printed beside SQuAD's: dev and the latest English files written blind. Never a
# held-out file: what training prints is what whoever retrains chooses by.
CHECK_GOLD = ("dev.jsonl", "tune-13.jsonl", "tune-14.jsonl")
QUICK_GOLD_PER_PARAGRAPH = 5  # a `limit` run's gold questions per file, per paragraph kept


@dataclass
class Question:
    """One training or validation question, run through the question path."""

    group: str  # the article (or corpus) it belongs to: folds never split one
    text: str
    answers: tuple[str, ...]
    answerable: bool
    rows: np.ndarray  # candidate sentences × SENTENCE_FEATURES
    labels: np.ndarray  # 1 where the sentence contains an answer
    weight: float = 1.0


# -- chat-style noise ---------------------------------------------------------------------


def chat_typed(question: str, rng: random.Random) -> str:
    """`question` as someone might type it in a chat: lower case, no question mark, a typo,
    chat spellings ("what" -> "wat")."""
    text = question
    if rng.random() < 0.7:
        text = text.lower()
    if rng.random() < 0.7:
        text = text.rstrip("?").rstrip()
    words = text.split()
    reverse = {}
    for short, long_ in english().chat_words.items():
        if " " not in long_:
            reverse.setdefault(long_, short)
    words = [reverse[w] if w in reverse and rng.random() < 0.3 else w for w in words]
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if long_words and rng.random() < 0.5:
        i = rng.choice(long_words)
        w = words[i]
        j = rng.randrange(1, len(w) - 1)
        edit = rng.choice(("swap", "drop", "double"))
        if edit == "swap":
            w = w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]
        elif edit == "drop":
            w = w[:j] + w[j + 1 :]
        else:
            w = w[:j] + w[j] + w[j:]
        words[i] = w
    if words and words[0] in ("the", "a") and rng.random() < 0.5:
        words = words[1:]
    return " ".join(words) or question


# -- running questions through the question path --------------------------------------------


def open_index(corpus: Path, data_dir: Path) -> Pipeline:
    """A pipeline over `corpus`, indexed into `data_dir`."""
    settings = Settings.from_env(env_file=None, data_dir=data_dir, seeds_dir=corpus)
    return Pipeline.open(settings)


def run_questions(
    pipeline: Pipeline,
    items: Iterable[tuple[str, str, Sequence[str], bool, float]],
) -> list[Question]:
    """(group, question, answers, answerable, weight) -> Questions with their feature rows."""
    answerer = ExtractiveAnswerer()
    out = []
    items = list(items)
    for i, (group, text, answers, answerable, weight) in enumerate(items):
        if i % 500 == 0:
            print(f"  {i:,} of {len(items):,} questions through the question path", flush=True)
        request = pipeline.request(text)
        _, _, sentences = answerer.candidate_sentences(request)
        if sentences:
            rows = np.stack([s.features for s in sentences])
        else:
            rows = np.zeros((0, len(SENTENCE_FEATURES)), np.float32)
        labels = np.array(
            [answerable and any(contains_answer(s.text, a) for a in answers) for s in sentences],
            dtype=np.float32,
        )
        out.append(Question(group, text, tuple(answers), answerable, rows, labels, weight))
    return out


def squad_items(
    articles: Sequence[squad.SquadArticle], rng: random.Random, noise: bool
) -> list[tuple[str, str, Sequence[str], bool, float]]:
    items = []
    for article in articles:
        questions = list(article.questions)
        if noise:  # training: a sample per article, every unanswerable one first
            rng.shuffle(questions)
            questions.sort(key=lambda q: q.answerable)
            questions = questions[:QUESTIONS_PER_ARTICLE]
        for q in questions:
            items.append((article.doc, q.question, q.answers, q.answerable, 1.0))
            if noise and rng.random() < CHAT_NOISE_SHARE:
                items.append(
                    (article.doc, chat_typed(q.question, rng), q.answers, q.answerable, 1.0)
                )
    return items


def gold_items(
    names: Sequence[str],
    rng: random.Random | None,
    weight: float = 1.0,
    per_file: int | None = None,
) -> list[tuple[str, str, Sequence[str], bool, float]]:
    """Standalone questions of the project's gold files (conversation turns after the first
    need their history and are left out); with `per_file`, only each file's first ones."""
    items = []
    gold_dir = PROJECT_ROOT / "seeds" / "gold"
    for name in names:
        path = gold_dir / name
        if not path.is_file():
            continue
        raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        for item, obj in list(zip(load_gold(path), raw, strict=True))[:per_file]:
            if obj.get("turn", 1) != 1:
                continue
            group = f"seeds:{item.sources[0].doc}" if item.sources else "seeds:none"
            items.append((group, item.question, item.answers, item.answerable, weight))
            if rng is not None and rng.random() < CHAT_NOISE_SHARE:
                noisy = chat_typed(item.question, rng)
                items.append((group, noisy, item.answers, item.answerable, weight))
    return items


# -- models ----------------------------------------------------------------------------------


def _sentence_training_rows(
    questions: Sequence[Question], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs, ys, ws = [], [], []
    for q in questions:
        if len(q.labels) == 0:
            continue
        positives = np.flatnonzero(q.labels == 1)
        negatives = np.flatnonzero(q.labels == 0)
        if len(negatives) > NEGATIVES_PER_QUESTION:
            negatives = rng.choice(negatives, NEGATIVES_PER_QUESTION, replace=False)
        keep = np.concatenate([positives, negatives])
        xs.append(q.rows[keep])
        ys.append(q.labels[keep])
        ws.append(np.full(len(keep), q.weight, np.float32))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)


def _scaler(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    return mean.astype(np.float32), scale.astype(np.float32)


def fit_sentence_model(questions: Sequence[Question], seed: int = SEED) -> Network:
    """The sentence network trained on `questions`."""
    from sklearn.neural_network import MLPClassifier

    x, y, w = _sentence_training_rows(questions, np.random.default_rng(seed))
    mean, scale = _scaler(x)
    model = MLPClassifier(
        hidden_layer_sizes=(HIDDEN_UNITS,),
        alpha=1e-3,
        max_iter=300,
        early_stopping=True,
        n_iter_no_change=10,
        random_state=seed,
    )
    # MLPClassifier has no sample weights: repeat weighted rows instead.
    repeat = np.maximum(np.rint(w).astype(int), 1)
    model.fit(np.repeat((x - mean) / scale, repeat, axis=0), np.repeat(y, repeat))
    layers = tuple(
        Dense(np.asarray(c, np.float32), np.asarray(b, np.float32))
        for c, b in zip(model.coefs_, model.intercepts_, strict=True)
    )
    return Network(SENTENCE_FEATURES, mean, scale, layers)


def decision_data(
    questions: Sequence[Question], sentence_model: Network
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(decision rows, label: the best sentence answers, answerable, weights) per question."""
    rows, labels, answerable, weights = [], [], [], []
    for q in questions:
        probs = sentence_model.probabilities(q.rows)
        rows.append(decision_row(q.rows, probs))
        best_ok = len(probs) > 0 and q.labels[int(np.argmax(probs))] == 1
        labels.append(float(best_ok))
        answerable.append(q.answerable)
        weights.append(q.weight)
    return np.stack(rows), np.array(labels), np.array(answerable), np.array(weights)


def fit_decision_model(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Network:
    from sklearn.linear_model import LogisticRegression

    mean, scale = _scaler(x)
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=w)
    layer = Dense(model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32))
    return Network(DECISION_FEATURES, mean, scale, (layer,))


def outcomes(p: np.ndarray, label: np.ndarray, answerable: np.ndarray, threshold: float) -> dict:
    """What users would see at `threshold`, on questions half of which may be unanswerable."""
    answers = p >= threshold
    ans, una = answerable, ~answerable
    right_answerable = float(np.mean(answers[ans] & (label[ans] == 1))) if ans.any() else 0.0
    declined_unanswerable = float(np.mean(~answers[una])) if una.any() else 0.0
    return {
        "answer_accuracy": right_answerable,
        "unanswerable_declined": declined_unanswerable,
        "answerable_wrongly_declined": float(np.mean(~answers[ans])) if ans.any() else 0.0,
        "balanced": (right_answerable + declined_unanswerable) / 2,
        "answered_precision": float(np.mean(label[answers] == 1)) if answers.any() else 0.0,
    }


THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def threshold_table(
    p: np.ndarray, label: np.ndarray, answerable: np.ndarray, seeds: np.ndarray
) -> dict[str, dict[str, float]]:
    """Balanced score per threshold, on SQuAD and on the project's gold separately."""
    table = {}
    for t in THRESHOLDS:
        table[f"{t:.1f}"] = {
            domain: round(outcomes(p[mask], label[mask], answerable[mask], t)["balanced"], 3)
            for domain, mask in (("squad", ~seeds), ("seeds", seeds))
            if mask.any()
        }
    return table


def folds(questions: Sequence[Question], k: int = FOLDS) -> list[list[int]]:
    """Question indices in `k` folds; no group (article) is split."""
    groups = sorted({q.group for q in questions})
    random.Random(SEED).shuffle(groups)
    fold_of = {g: i % k for i, g in enumerate(groups)}
    out: list[list[int]] = [[] for _ in range(k)]
    for i, q in enumerate(questions):
        out[fold_of[q.group]].append(i)
    return out


def train(questions: Sequence[Question]) -> tuple[Selector, dict]:
    """Fit both models and the threshold on `questions`."""
    oof_rows, oof_labels, oof_answerable, oof_weights, oof_seeds = [], [], [], [], []
    for held in folds(questions):
        held_set = set(held)
        train_part = [q for i, q in enumerate(questions) if i not in held_set]
        model = fit_sentence_model(train_part)
        x, y, a, w = decision_data([questions[i] for i in held], model)
        oof_rows.append(x)
        oof_labels.append(y)
        oof_answerable.append(a)
        oof_weights.append(w)
        oof_seeds.append(np.array([questions[i].group.startswith("seeds:") for i in held]))
    x, y = np.concatenate(oof_rows), np.concatenate(oof_labels)
    a, w = np.concatenate(oof_answerable), np.concatenate(oof_weights)
    decision = fit_decision_model(x, y, w)
    p = decision.probabilities(x)
    calibration = {"out_of_fold_balanced": threshold_table(p, y, a, np.concatenate(oof_seeds))}
    sentence = fit_sentence_model(questions)
    return Selector(sentence, decision, {}), calibration


def evaluate(selector: Selector, questions: Sequence[Question], threshold: float) -> dict:
    """Selection and decision figures of `selector` on `questions` (the learned decision
    alone, without the answerer's hand-set gates)."""
    x, y, a, _ = decision_data(questions, selector.sentence)
    p = selector.decision.probabilities(x)
    figures = outcomes(p, y, a, threshold)
    figures["best_sentence_right"] = float(np.mean(y[a])) if a.any() else 0.0
    figures["questions"] = len(questions)
    figures["unanswerable"] = int((~a).sum())
    return figures


def build(
    squad_dir: Path, work: Path, *, limit: int | None = None, dump: Path | None = None
) -> tuple[Selector, dict]:
    """Everything `rag train-answerer` does, into a Selector and its report; with `limit`, a
    quick run on each article's first `limit` paragraphs and each gold file's first questions."""
    rng = random.Random(SEED)
    per_file = limit * QUICK_GOLD_PER_PARAGRAPH if limit else None
    training, validation = squad.split(squad.load_articles(squad_dir, limit))
    train_corpus = squad.write_corpus(training, work / "squad-train")
    val_corpus = squad.write_corpus(validation, work / "squad-validation")
    questions = run_questions(
        open_index(train_corpus, work / "index-train"), squad_items(training, rng, noise=True)
    )
    seeds = open_index(PROJECT_ROOT / "seeds" / "corpus", work / "index-seeds")
    questions += run_questions(seeds, gold_items(TRAIN_GOLD, rng, SEED_GOLD_WEIGHT, per_file))
    val_questions = run_questions(
        open_index(val_corpus, work / "index-validation"), squad_items(validation, rng, False)
    )
    checks = {
        name: run_questions(seeds, gold_items((name,), None, per_file=per_file))
        for name in CHECK_GOLD
        if (PROJECT_ROOT / "seeds" / "gold" / name).is_file()
    }
    if dump is not None:  # for studying the data without running every question again
        with dump.open("wb") as fh:
            pickle.dump({"train": questions, "squad": val_questions, **checks}, fh)
    selector, calibration = train(questions)
    report: dict = {
        "seed": SEED,
        "training_questions": len(questions),
        "training_articles": sorted({q.group for q in questions}),
        "calibration": calibration,
        "validation": {},
    }
    threshold = TUNING.min_answer_probability
    report["validation"]["squad (held-out articles)"] = evaluate(selector, val_questions, threshold)
    for name, gold in checks.items():
        report["validation"][name] = evaluate(selector, gold, threshold)
    selector = Selector(
        selector.sentence,
        selector.decision,
        {k: report[k] for k in ("seed", "training_questions", "calibration", "validation")},
    )
    return selector, report


def main(
    squad_dir: Path, out_dir: Path = MODEL_DIR, limit: int | None = None, dump: Path | None = None
) -> dict:
    """Train, save into `out_dir`, and return the report."""
    with tempfile.TemporaryDirectory(prefix="rag-train-") as tmp:
        selector, report = build(squad_dir, Path(tmp), limit=limit, dump=dump)
    out_dir.mkdir(parents=True, exist_ok=True)
    report["model"] = str(save(selector, out_dir))
    return report
