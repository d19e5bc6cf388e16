"""The corpus as the evaluation sees it: the outlet manifest and the raw article files."""

from __future__ import annotations

import json
from pathlib import Path

from rag.errors import UsageError

MANIFEST_NAME = "sources.json"


def load_manifest(corpus_dir: str | Path) -> dict[str, str] | None:
    """Map doc -> outlet from `<corpus_dir>/sources.json`; None when the corpus has none."""
    path = Path(corpus_dir) / MANIFEST_NAME
    if not path.is_file():
        return None
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read the manifest {path} ({exc}): fix or remove it.") from None
    if not isinstance(entries, list):
        raise UsageError(f"{path} must be a JSON list of {{doc, outlet, ...}} objects.")
    outlets: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("doc"), str):
            outlets[entry["doc"]] = str(entry.get("outlet") or "")
    return outlets


class ArticleTexts:
    """Raw article text by doc id, read once from `<corpus_dir>/<doc>.txt`."""

    def __init__(self, corpus_dir: str | Path) -> None:
        self.corpus_dir = Path(corpus_dir)
        self._cache: dict[str, str | None] = {}

    def __call__(self, doc: str) -> str | None:
        if doc not in self._cache:
            path = self.corpus_dir / f"{doc}.txt"
            try:
                self._cache[doc] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._cache[doc] = None
        return self._cache[doc]
