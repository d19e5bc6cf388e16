"""Store faults: a server that dies mid-session, an ingest killed with SIGKILL, a deleted index.

Each ends in a clear message and recovery, never silent wrong answers or doubled passages.
"""

import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import SEEDS
from store_openers import open_when_released

from rag.bench.server import ChromaServer
from rag.config import Settings
from rag.errors import IndexUnavailable
from rag.locking import exclusive_writer
from rag.pipeline import Pipeline


def test_server_killed_mid_session_then_restarted(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path / "srv")
    server.start()
    try:
        settings = Settings.from_env(env_file=None, data_dir=tmp_path / "d", chroma_url=server.url)
        pipeline = Pipeline.open(settings)
        good = pipeline.ask("Who closed the Kuznica checkpoint?").answer
        server.stop()
        with pytest.raises(IndexUnavailable, match=server.url):
            pipeline.ask("Who closed the Kuznica checkpoint?")
        server.start()
        assert pipeline.ask("Who closed the Kuznica checkpoint?").answer == good
    finally:
        server.stop()


def rag_env(data_dir: Path) -> dict[str, str]:
    """The environment for a `rag` subprocess using `data_dir` and no other RAG_ setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env["RAG_DATA_DIR"] = str(data_dir)
    return env


def make_corpus(folder: Path, copies: int) -> None:
    """`copies` distinct articles made from the seeds (distinct ids and text)."""
    folder.mkdir()
    articles = sorted(SEEDS.glob("*.txt"))
    for i in range(copies):
        source = articles[i % len(articles)]
        text = source.read_text(encoding="utf-8") + f"\n\nEdition note number {i}."
        (folder / f"a{i:03d}.md").write_text(
            f"---\noutlet: Outlet{i % 7}\npublished: 2022-01-{i % 28 + 1:02d}\n---\n{text}",
            encoding="utf-8",
        )


def consistent(data_dir: Path) -> tuple[int, int]:
    pipeline = Pipeline.open(Settings.from_env(env_file=None, data_dir=data_dir), auto_ingest=False)
    ids = [p.id for p in pipeline.store.iter_passages()]
    assert len(ids) == len(set(ids)), "duplicate passages"
    records = pipeline.store.doc_records()
    docs_with_passages = {i.split(":")[0] for i in ids}
    assert set(records) <= docs_with_passages
    lexical = pipeline.retriever.lexical
    assert lexical is not None and lexical.size == len(ids), "BM25 disagrees with the store"
    return len(records), len(ids)


def test_ingest_killed_at_random_points_is_repaired_by_rerun(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 24)
    data = tmp_path / "data"
    env = rag_env(data)
    rng = random.Random(7)
    for attempt in range(2):
        proc = subprocess.Popen(
            [sys.executable, "-m", "rag", "ingest", str(corpus)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(2.0, 4.0) + attempt)
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def ingest() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "rag", "ingest", str(corpus)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    done = ingest()
    assert done.returncode == 0, done.stderr
    records, passages = consistent(data)
    assert records == 24
    assert "0 added, 0 updated, 24 unchanged" in ingest().stdout
    assert consistent(data) == (records, passages)


def test_processes_creating_one_new_index_at_once_all_open_it(tmp_path: Path) -> None:
    # Chroma's first-time set-up fails ("table collections already exists") when two
    # processes interleave it; unguarded, 12 rounds of 4 openers failed 2–9 times here.
    workers, rounds = 4, 12
    data_dirs = [str(tmp_path / f"data{i}") for i in range(rounds)]
    spawn = multiprocessing.get_context("spawn")
    with spawn.Manager() as manager, spawn.Pool(workers) as pool:
        barrier = manager.Barrier(workers)
        results = pool.starmap(open_when_released, [(data_dirs, barrier)] * workers)
    assert [error for errors in results for error in errors] == []


def test_two_ingests_at_once_take_turns(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 8)
    data = tmp_path / "data"
    env = rag_env(data)
    logs = [tmp_path / "first.err", tmp_path / "second.err"]
    with exclusive_writer(data):  # a third writer is busy: both must wait, then take turns
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "rag", "ingest", str(corpus)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=log.open("w"),
                text=True,
            )
            for log in logs
        ]
        deadline = time.monotonic() + 120
        while not all("waiting for it to finish" in log.read_text() for log in logs):
            assert time.monotonic() < deadline, [log.read_text() for log in logs]
            assert all(p.poll() is None for p in procs), [log.read_text() for log in logs]
            time.sleep(0.2)
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [log.read_text() for log in logs]
    summaries = sorted(line for out in outputs for line in out.splitlines() if "added" in line)
    assert summaries[0].startswith("0 added, 0 updated, 8 unchanged"), summaries
    assert summaries[1].startswith("8 added, 0 updated, 0 unchanged"), summaries
    assert consistent(data)[0] == 8


NEW_FACT = "Who painted the zebra crossing at the Terespol checkpoint?"


def write_new_article(folder: Path) -> None:
    folder.mkdir()
    (folder / "zebra.md").write_text(
        "---\noutlet: Test Gazette\ntitle: Zebra crossing at Terespol\npublished: 2024-07-01\n"
        "---\nThe zebra crossing at the Terespol checkpoint was painted by the artist Xylophon "
        "Quartz on Monday, the mayor said.\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("asking_threads", [1, 4])
def test_a_running_reader_answers_from_what_another_process_ingested(
    tmp_path: Path, asking_threads: int
) -> None:
    data = tmp_path / "data"
    pipeline = Pipeline.open(Settings.from_env(env_file=None, data_dir=data))
    assert pipeline.ask(NEW_FACT).abstained
    write_new_article(tmp_path / "new")
    env = rag_env(data)
    answers: list[object] = []
    stop = threading.Event()

    def keep_asking() -> None:  # a bot's other chats, asking while the index is reopened
        while not stop.is_set():
            try:
                answers.append(pipeline.ask("Who closed the Kuznica checkpoint?"))
            except Exception as exc:  # any failure is what the test looks for
                answers.append(exc)

    askers = [threading.Thread(target=keep_asking) for _ in range(asking_threads - 1)]
    for thread in askers:
        thread.start()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rag", "ingest", str(tmp_path / "new")],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        answer = pipeline.ask(NEW_FACT)
    finally:
        stop.set()
        for thread in askers:
            thread.join(60)
    assert not answer.abstained and "Xylophon Quartz" in answer.answer
    assert [c.passage.outlet for c in answer.citations] == ["Test Gazette"]
    assert "Test Gazette" in {a.outlet for a in pipeline.sources()}
    failures = [a for a in answers if isinstance(a, Exception)]
    assert not failures, failures[:3]
    assert all("Kuznitsa" in a.answer for a in answers)  # the old articles still answer


def test_deleted_index_is_rebuilt_from_the_seeds(tmp_path: Path) -> None:
    env = rag_env(tmp_path / "data")
    ask = [sys.executable, "-m", "rag", "ask", "--json", "Who closed the Kuznica checkpoint?"]
    first = subprocess.run(ask, env=env, capture_output=True, text=True, timeout=300)
    shutil.rmtree(tmp_path / "data")
    second = subprocess.run(ask, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_index_gives_a_clear_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Pipeline.open(Settings.from_env(env_file=None, data_dir=data))
    for path in [data, *data.rglob("*")]:
        path.chmod(0o500 if path.is_dir() else 0o400)
    env = rag_env(data)
    done = subprocess.run(
        [sys.executable, "-m", "rag", "ingest"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr


def test_a_bug_in_our_code_is_not_reported_as_a_damaged_index(tmp_path) -> None:
    from rag.config import Settings
    from rag.store import PassageStore

    store = PassageStore(Settings.from_env(env_file=None, data_dir=tmp_path / "data"))
    with pytest.raises(TypeError):
        store.count(unexpected_argument=True)  # type: ignore[call-arg]
