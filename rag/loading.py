"""Find article files and read them with their metadata (manifest beside them, or front matter).

The text returned is what passages are quoted from: for .txt/.md it is the file's text (after
any front matter), for .html the visible text extracted from the page.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rag.html_text import html_to_text

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".csv", ".jsonl", ".zip")
MANIFEST_NAMES = ("sources.json", "manifest.json", "sources.jsonl", "manifest.jsonl")
MAX_ARTICLE_BYTES = 5_000_000
UNKNOWN_OUTLET = "unknown"

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)


@dataclass(frozen=True)
class Article:
    """One article ready to clean and chunk."""

    doc: str
    path: Path
    text: str
    outlet: str
    title: str
    published: str  # YYYY-MM-DD or ""
    body_ends_before: str = ""
    source: str = ""  # where it came from (file, or collection#row); defaults to `path`


@dataclass
class LoadReport:
    """Articles read, files skipped (with the reason), and warnings, for the ingest summary."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Article files under `paths` (files or folders), in a stable order.

    Symlinks that lead outside the folder being scanned are not followed.
    """
    for root in paths:
        if root.is_file():
            yield root
            continue
        base = root.resolve()
        for path in sorted(root.rglob("*")):
            if path.name in MANIFEST_NAMES:
                continue
            if path.suffix.lower() not in ARTICLE_SUFFIXES or not path.is_file():
                continue
            if not path.resolve().is_relative_to(base):
                log.warning("skipping %s: it links outside %s", path, root)
                continue
            yield path


def load_manifest(folder: Path, report: LoadReport) -> dict[str, dict]:
    """Metadata by doc id from the first manifest file found in `folder`."""
    for name in MANIFEST_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        try:
            raw = path.read_text(encoding="utf-8")
            entries = (
                [json.loads(line) for line in raw.splitlines() if line.strip()]
                if name.endswith(".jsonl")
                else json.loads(raw)
            )
            if isinstance(entries, dict):  # {"doc": {...}} form
                entries = [
                    {"doc": k, **v} if isinstance(v, dict) else v for k, v in entries.items()
                ]
            if not isinstance(entries, list):
                raise ValueError("expected a list of article entries")
            manifest = {}
            for entry in entries:
                if not isinstance(entry, dict) or not isinstance(entry.get("doc"), str):
                    raise ValueError("every entry needs a string 'doc'")
                manifest[entry["doc"]] = entry
            return manifest
        except (ValueError, UnicodeDecodeError) as exc:
            report.skipped.append(
                (
                    str(path),
                    f"manifest is not valid JSON ({exc}); articles beside it get no metadata",
                )
            )
            return {}
    return {}


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split `key: value` front matter (between --- lines) from the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[match.end() :]


def normalise_date(value: object) -> str:
    """'2021-11-12' (or a longer ISO timestamp) -> '2021-11-12'; anything else -> ''."""
    if not isinstance(value, str):
        return ""
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return ""


def read_article(path: Path, meta: dict, report: LoadReport) -> Article | None:
    """Read one file; on a problem, record it in `report` and return None."""
    try:
        size = path.stat().st_size
        if size == 0:
            report.skipped.append((str(path), "file is empty"))
            return None
        if size > MAX_ARTICLE_BYTES:
            report.skipped.append((str(path), f"file is larger than {MAX_ARTICLE_BYTES:,} bytes"))
            return None
        data = path.read_bytes()
    except OSError as exc:
        report.skipped.append((str(path), f"cannot be read ({exc.strerror or exc})"))
        return None
    if b"\x00" in data:
        report.skipped.append((str(path), "looks binary, not text"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.skipped.append((str(path), "is not UTF-8 text; convert it (e.g. iconv -t UTF-8)"))
        return None
    front, body = parse_front_matter(text)
    if path.suffix.lower() in (".html", ".htm"):
        body = html_to_text(body)
    if not body.strip():
        report.skipped.append((str(path), "has no article text"))
        return None
    merged = {**front, **{k: v for k, v in meta.items() if v}}
    doc = path.stem
    outlet = str(merged.get("outlet") or "").strip()
    if not outlet:
        outlet = UNKNOWN_OUTLET
        report.warnings.append(
            f"{path}: no outlet in a manifest or front matter; indexed as 'unknown'"
        )
    first_line = next((line.strip() for line in body.splitlines() if line.strip()), doc)
    title = str(merged.get("title") or "").strip() or first_line[:200]
    published = normalise_date(merged.get("published") or merged.get("date"))
    if (merged.get("published") or merged.get("date")) and not published:
        report.warnings.append(f"{path}: published date is not YYYY-MM-DD; indexed without a date")
    return Article(
        doc=doc,
        path=path,
        text=body,
        outlet=outlet,
        title=title,
        published=published,
        body_ends_before=str(merged.get("body_ends_before") or ""),
    )


def load_articles(paths: Iterable[Path]) -> LoadReport:
    """Read every article under `paths` into memory; bad files are reported and skipped."""
    report = LoadReport()
    report.articles.extend(iter_articles(paths, report))
    return report


def iter_articles(paths: Iterable[Path], report: LoadReport) -> Iterator[Article]:
    """Articles under `paths`, one at a time (bounded memory); problems go to `report`.

    Article collections (.csv, .jsonl, or a .zip of them) yield one article per row.
    """
    from rag.importers import COLLECTION_SUFFIXES, iter_collection

    manifests: dict[Path, dict[str, dict]] = {}
    seen: dict[str, Path] = {}
    for path in discover(paths):
        if path.suffix.lower() in COLLECTION_SUFFIXES:
            for article in iter_collection(path, report):
                if article.doc in seen:
                    report.skipped.append((f"{path}#{article.doc}", "duplicate article id"))
                    continue
                seen[article.doc] = path
                yield article
            continue
        folder = path.parent
        if folder not in manifests:
            manifests[folder] = load_manifest(folder, report)
        if path.stem in seen:
            report.skipped.append(
                (
                    str(path),
                    f"duplicate article id {path.stem!r} (also {seen[path.stem]}); rename one",
                )
            )
            continue
        article = read_article(path, manifests[folder].get(path.stem, {}), report)
        if article is not None:
            seen[article.doc] = path
            yield article
