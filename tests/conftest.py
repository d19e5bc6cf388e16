"""Shared fixtures: isolated user state, and one real pipeline over the seeds per session."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds" / "corpus"
GOLD = ROOT / "seeds" / "gold"

# Test helper modules (fake servers, bot fixtures) are imported by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Test files that start processes, servers (the fake Bot API, Chroma, an LLM stub) or
# language models, or ingest into a fresh store: the `integration` tier. While working,
# `pytest -m "not integration"` runs the rest in under a minute; CI runs both.
INTEGRATION_MODULES = (
    "test_bench",
    "test_bot_cli",
    "test_bot_e2e",
    "test_bot_rough_edges",
    "test_bot_streaming",
    "test_cli",
    "test_evaluation_cli",
    "test_evaluation_e2e",
    "test_ingest",
    "test_llm_real",
    "test_llm_stub",
    "test_offline",
    "test_reliability_",
    "test_security_bot",
    "test_server_mode",
    "test_store_faults",
)


INTEGRATION_TESTS = (
    "test_training_on_a_small_sample_writes_a_model_that_loads",  # ~3 min
    "test_bad_ingest_never_corrupts_the_existing_index",  # ingests a fresh store
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of INTEGRATION_MODULES, and each of INTEGRATION_TESTS, `integration`."""
    for item in items:
        module = item.module.__name__ if item.module is not None else ""
        if module.startswith(INTEGRATION_MODULES) or item.name in INTEGRATION_TESTS:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's configuration, `.env` or data directory."""
    for name in list(os.environ):
        if name.startswith(("RAG_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "rag-data"))
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture(scope="session")
def seeded_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory that the session pipeline fills from the seeds."""
    return tmp_path_factory.mktemp("seeded")


@pytest.fixture(scope="session")
def pipeline(seeded_data_dir: Path):
    """The real pipeline (Chroma on disk, ONNX embeddings, BM25) over the five seed articles."""
    from rag.config import Settings
    from rag.pipeline import Pipeline

    return Pipeline.open(Settings.from_env(env_file=None, data_dir=seeded_data_dir))


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for running `rag` in a subprocess, with its own data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "TELEGRAM_"))}
    env["RAG_DATA_DIR"] = str(tmp_path / "cli-data")
    env["PYTHONUNBUFFERED"] = "1"
    return env
