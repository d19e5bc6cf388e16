"""Article collections: CSV or JSONL files (or a .zip holding them), one article per row.

Columns are found by their usual names (title, text/body/content, outlet/source/publisher,
date/published/publish_date, id/article_id); an outlet given as a URL becomes its host name
("http://www.aljazeera.com/news/…" -> "aljazeera.com").
"""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlparse

from rag.loading import MAX_ARTICLE_BYTES, UNKNOWN_OUTLET, Article, LoadReport, normalise_date

COLLECTION_SUFFIXES = (".csv", ".jsonl", ".zip")

COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "article_id", "doc", "uid"),
    "title": ("title", "headline"),
    "text": ("text", "body", "content", "article", "full_text"),
    "outlet": ("outlet", "source", "publisher", "site", "article_source_link", "url", "link"),
    "published": ("published", "date", "publish_date", "published_at", "pub_date"),
}

csv.field_size_limit(min(sys.maxsize, MAX_ARTICLE_BYTES))


def _pick(row: dict, field: str) -> str:
    lowered = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    for name in COLUMNS[field]:
        value = lowered.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def outlet_name(value: str) -> str:
    """'http://www.aljazeera.com/x' -> 'aljazeera.com'; plain names pass through."""
    if "://" in value:
        host = urlparse(value).hostname or ""
        return host.removeprefix("www.") or UNKNOWN_OUTLET
    return value or UNKNOWN_OUTLET


def _date(value: str) -> str:
    """ISO dates, and the '2017/2/7' form some collections use."""
    iso = normalise_date(value)
    if iso or not value:
        return iso
    parts = value.replace("/", "-").split(" ")[0].split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return normalise_date(f"{int(parts[0]):04d}-{int(parts[1]):02d}-{int(parts[2]):02d}")
    return ""


def _rows(name: str, stream: io.TextIOBase) -> Iterator[dict]:
    if name.lower().endswith(".csv"):
        yield from csv.DictReader(stream)
    else:
        for line in stream:
            if line.strip():
                yield json.loads(line)


def _open_members(path: Path) -> Iterator[tuple[str, io.TextIOBase]]:
    if path.suffix.lower() != ".zip":
        with path.open(encoding="utf-8", newline="") as f:
            yield path.name, f
        return
    with zipfile.ZipFile(path) as archive:
        for member in sorted(archive.namelist()):
            if member.lower().endswith((".csv", ".jsonl")) and not member.startswith("__MACOSX"):
                with archive.open(member) as raw:
                    yield member, io.TextIOWrapper(raw, encoding="utf-8", newline="")


def iter_collection(path: Path, report: LoadReport) -> Iterator[Article]:
    """Articles from one collection file; bad rows are reported and skipped."""
    prefix = path.stem
    try:
        for member, stream in _open_members(path):
            for number, row in enumerate(_rows(member, stream), start=1):
                where = f"{path}#{member}:{number}"
                if not isinstance(row, dict):
                    report.skipped.append((where, "row is not an object"))
                    continue
                article = _article(row, prefix, number, path, where, report)
                if article is not None:
                    yield article
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile, csv.Error, ValueError) as exc:
        report.skipped.append((str(path), f"cannot be read as an article collection ({exc})"))


def _article(
    row: dict, prefix: str, number: int, path: Path, where: str, report: LoadReport
) -> Article | None:
    text = _pick(row, "text")
    if not text:
        report.skipped.append((where, "row has no text column (text/body/content)"))
        return None
    if len(text.encode("utf-8")) > MAX_ARTICLE_BYTES:
        report.skipped.append((where, "article text is too large"))
        return None
    ident = _pick(row, "id") or str(number)
    outlet = outlet_name(_pick(row, "outlet"))
    if outlet == UNKNOWN_OUTLET:
        report.warnings.append(f"{where}: no outlet; indexed as 'unknown'")
    title = _pick(row, "title") or text.split("\n", 1)[0][:200]
    return Article(
        doc=f"{prefix}-{ident}",
        path=path,
        text=text,
        outlet=outlet,
        title=title,
        published=_date(_pick(row, "published")),
        source=f"{path.resolve()}#{ident}",
    )


def collection_files(paths: Iterable[Path]) -> list[Path]:
    """The collection files among `paths` (for messages)."""
    return [p for p in paths if p.suffix.lower() in COLLECTION_SUFFIXES]
