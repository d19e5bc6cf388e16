"""Loading and checking gold question/answer files (schema: seeds/gold/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import UsageError
from rag.evaluation.textnorm import normalize

MATCH_MODES = ("any", "all")
LANGS = ("en", "ru", "be", "uk", "pl")  # the optional `lang` of a question (README there)


@dataclass(frozen=True)
class GoldSource:
    """Where an answer stands: `evidence` occurs verbatim in article `doc`."""

    doc: str
    outlet: str
    evidence: str


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answerable: bool
    answers: tuple[str, ...]
    match: str
    sources: tuple[GoldSource, ...]
    kind: str
    lang: str = "en"  # the question's language

    @property
    def evidence(self) -> tuple[str, ...]:
        return tuple(s.evidence for s in self.sources)

    def expected_text(self) -> str:
        """The expectation as a person reads it in a report."""
        if not self.answerable:
            return "(decline: not in the articles)"
        joiner = " AND " if self.match == "all" else " OR "
        return joiner.join(self.answers)


def _bad(path: Path, lineno: int, what: str) -> UsageError:
    return UsageError(f"{path}:{lineno}: {what}; fix that line (schema in seeds/gold/README.md).")


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def parse_item(obj: Any, path: Path, lineno: int) -> GoldItem:
    """One gold line, validated; raises UsageError naming the line and the problem."""
    if not isinstance(obj, dict):
        raise _bad(path, lineno, "expected a JSON object")
    for key in ("id", "question", "kind"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise _bad(path, lineno, f"{key!r} must be a non-empty string")
    if not isinstance(obj.get("answerable"), bool):
        raise _bad(path, lineno, "'answerable' must be true or false")
    answers = obj.get("answers", [])
    if not _str_list(answers):
        raise _bad(path, lineno, "'answers' must be a list of strings")
    match = obj.get("match", "any")
    if match not in MATCH_MODES:
        raise _bad(path, lineno, '\'match\' must be "any" or "all"')
    raw_sources = obj.get("sources", [])
    if not isinstance(raw_sources, list):
        raise _bad(path, lineno, "'sources' must be a list")
    sources = []
    for src in raw_sources:
        if not isinstance(src, dict) or not all(
            isinstance(src.get(k), str) and src[k].strip() for k in ("doc", "evidence")
        ):
            raise _bad(path, lineno, "each source needs non-empty 'doc' and 'evidence' strings")
        outlet = src.get("outlet", "")
        if not isinstance(outlet, str):
            raise _bad(path, lineno, "a source's 'outlet' must be a string")
        sources.append(GoldSource(doc=src["doc"], outlet=outlet, evidence=src["evidence"]))
    lang = obj.get("lang", "en")
    if lang not in LANGS:
        raise _bad(path, lineno, f"'lang' must be one of {', '.join(LANGS)}")
    answerable = obj["answerable"]
    if answerable and not any(a.strip() for a in answers):
        raise _bad(path, lineno, "an answerable item needs at least one answer string")
    if answerable and not sources:
        raise _bad(path, lineno, "an answerable item needs at least one source with evidence")
    return GoldItem(
        id=obj["id"].strip(),
        question=obj["question"],
        answerable=answerable,
        answers=tuple(a for a in answers if a.strip()),
        match=match,
        sources=tuple(sources),
        kind=obj["kind"].strip(),
        lang=lang,
    )


def load_gold(path: str | Path) -> list[GoldItem]:
    """Read a gold JSONL file. Blank lines are skipped; ids must be unique."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(
            f"gold file {path} not found: pass a JSONL file such as seeds/gold/dev.jsonl."
        )
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"cannot read gold file {path} ({exc}): pass a UTF-8 JSONL file."
        ) from None
    items: list[GoldItem] = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _bad(path, lineno, f"not valid JSON ({exc.msg})") from None
        item = parse_item(obj, path, lineno)
        if item.id in seen:
            raise _bad(path, lineno, f"id {item.id!r} is used twice")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise UsageError(f"gold file {path} holds no items: add one JSON object per line.")
    return items


def check_against_corpus(
    items: list[GoldItem],
    article_text: Any,
    outlets: dict[str, str] | None = None,
) -> list[str]:
    """Problems in the gold data itself: evidence missing from its article, unknown docs,
    outlets that disagree with the manifest. `article_text(doc)` returns the text or None."""
    problems: list[str] = []
    for item in items:
        for src in item.sources:
            text = article_text(src.doc)
            if text is None:
                problems.append(f"{item.id}: article {src.doc!r} not found in the corpus")
                continue
            if normalize(src.evidence) not in normalize(text):
                problems.append(f"{item.id}: evidence {src.evidence[:60]!r} not in {src.doc}")
            listed = outlets.get(src.doc) if outlets is not None else None
            if src.outlet and listed is not None and listed != src.outlet:
                problems.append(
                    f"{item.id}: outlet {src.outlet!r} but the manifest says "
                    f"{listed!r} for {src.doc}"
                )
    return problems
