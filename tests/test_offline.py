"""The offline promise, tested: ingest and answer with every non-loopback connection blocked."""

from pathlib import Path

import pytest
import pytest_socket

from rag.config import Settings
from rag.pipeline import Pipeline


@pytest.fixture
def no_network() -> None:
    pytest_socket.socket_allow_hosts(["127.0.0.1", "::1", "localhost"], allow_unix_socket=True)
    yield
    pytest_socket.enable_socket()


def test_ingest_and_answer_without_network(no_network: None, tmp_path: Path) -> None:
    pipeline = Pipeline.open(Settings.from_env(env_file=None, data_dir=tmp_path / "offline"))
    answer = pipeline.ask("Which NATO article did Morawiecki say Poland might invoke?")
    assert "Article 4" in answer.answer
    assert answer.citations[0].passage.outlet == "TIME"
