"""Loading user articles: manifests, front matter, and bad files reported, never fatal."""

import json
import os
from pathlib import Path

from rag.loading import UNKNOWN_OUTLET, load_articles


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_gives_metadata_and_is_not_article_text(tmp_path: Path) -> None:
    write(
        tmp_path / "a.md",
        "---\noutlet: BBC\ntitle: Border news\npublished: 2022-03-01\n---\n"
        "The border was quiet on Tuesday.\n",
    )
    (article,) = load_articles([tmp_path]).articles
    assert (article.outlet, article.title, article.published) == (
        "BBC",
        "Border news",
        "2022-03-01",
    )
    assert article.text == "The border was quiet on Tuesday.\n"


def test_manifest_beside_articles_wins_over_nothing(tmp_path: Path) -> None:
    write(tmp_path / "x.txt", "Some article text about the border.")
    write(
        tmp_path / "sources.json",
        json.dumps([{"doc": "x", "outlet": "DW", "published": "2023-01-02"}]),
    )
    (article,) = load_articles([tmp_path]).articles
    assert article.outlet == "DW" and article.published == "2023-01-02"
    assert article.title == "Some article text about the border."  # first line


def test_missing_outlet_is_indexed_as_unknown_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "y.txt", "An article with no metadata at all.")
    report = load_articles([tmp_path])
    assert report.articles[0].outlet == UNKNOWN_OUTLET
    assert any("y.txt" in w and "unknown" in w for w in report.warnings)


def test_html_article_is_reduced_to_its_visible_text(tmp_path: Path) -> None:
    write(
        tmp_path / "p.html",
        "<html><head><script>var x=1;</script></head><body><nav>Menu</nav>"
        "<p>First paragraph &amp; more.</p><p>Second one.</p></body></html>",
    )
    (article,) = load_articles([tmp_path]).articles
    assert article.text == "First paragraph & more.\n\nSecond one."


def test_bad_files_are_reported_by_name_and_good_ones_kept(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", "A perfectly good article.")
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "binary.txt", b"\x00\x01\x02binary")
    write(tmp_path / "latin1.txt", "Caf\xe9 article".encode("latin-1"))
    write(tmp_path / "blank.md", "   \n\n  ")
    report = load_articles([tmp_path])
    assert [a.doc for a in report.articles] == ["good"]
    reasons = dict(report.skipped)
    assert set(Path(p).name for p in reasons) == {
        "empty.txt",
        "binary.txt",
        "latin1.txt",
        "blank.md",
    }
    assert "UTF-8" in reasons[str(tmp_path / "latin1.txt")]


def test_malformed_manifest_is_reported_and_articles_still_load(tmp_path: Path) -> None:
    write(tmp_path / "z.txt", "Text of z.")
    write(tmp_path / "sources.json", "{not json")
    report = load_articles([tmp_path])
    assert [a.doc for a in report.articles] == ["z"]
    assert any("sources.json" in p for p, _ in report.skipped)


def test_duplicate_ids_and_symlinks_outside_the_folder_are_skipped(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.txt", "Secret text outside.")
    folder = tmp_path / "in"
    write(folder / "a" / "dup.txt", "First copy.")
    write(folder / "b" / "dup.txt", "Second copy.")
    os.symlink(outside, folder / "link.txt")
    report = load_articles([folder])
    assert [a.text for a in report.articles] == ["First copy."]
    assert any("duplicate" in reason for _, reason in report.skipped)
