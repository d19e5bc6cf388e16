"""Server mode: the same pipeline against a real Chroma server, which may restart or vanish."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.bench.server import ChromaServer, free_port
from rag.config import Settings
from rag.errors import IndexUnavailable
from rag.pipeline import Pipeline


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    srv = ChromaServer(tmp_path / "chroma-server")
    srv.start()
    yield srv
    srv.stop()


def test_ingest_answer_restart_and_nothing_lost(server: ChromaServer, tmp_path: Path) -> None:
    settings = Settings.from_env(env_file=None, data_dir=tmp_path / "local", chroma_url=server.url)
    pipeline = Pipeline.open(settings)
    count = pipeline.store.count()
    assert count > 100
    assert not (tmp_path / "local" / "chroma").exists()  # nothing stored locally but BM25's cache
    first = pipeline.ask("Who closed the Kuznica checkpoint?")
    assert first.citations[0].passage.outlet == "RT"

    server.stop()
    server.start()
    again = Pipeline.open(settings)
    assert again.store.count() == count
    report = again.ingest([settings.seeds_dir], progress=False)
    assert report.passages == 0 and len(report.unchanged) == 5
    assert again.ask("Who closed the Kuznica checkpoint?").answer == first.answer


def test_unreachable_server_names_the_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(IndexUnavailable, match=url):
        Pipeline.open(Settings.from_env(env_file=None, data_dir=tmp_path, chroma_url=url))
