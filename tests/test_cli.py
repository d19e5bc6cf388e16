"""The `rag` command as a user runs it: real subprocesses, real index on disk."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

RAG = [sys.executable, "-m", "rag"]


def run(
    args: list[str], env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        RAG + args, env=env, input=stdin, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One data directory for the module: the first command builds the index from the seeds."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "TELEGRAM_"))}
    env["RAG_DATA_DIR"] = str(tmp_path_factory.mktemp("cli") / "data")
    return env


def test_first_ask_builds_the_index_and_answers_readably(env: dict[str, str]) -> None:
    done = run(["ask", "Who closed the Kuznica checkpoint?"], env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Who closed the Kuznica checkpoint?"
    assert "Poland" in lines[1] and "[1]" in lines[1]
    assert any(line.startswith("[1] RT · 2021-11-12 · ") for line in lines)
    assert "Traceback" not in done.stderr


def test_json_output_is_the_contract(env: dict[str, str]) -> None:
    done = run(["ask", "--json", "How many human trafficking rings were broken up?"], env)
    data = json.loads(done.stdout)
    assert data["abstained"] is False and "60" in data["answer"]
    assert data["citations"][0]["outlet"] == "Pozirk"
    assert data["citations"][0]["published"] == "2024-11-15"


def test_batch_keeps_order_and_ids(env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        "\n".join(
            json.dumps(q)
            for q in [
                {"id": "a", "question": "Who is Belarus' permanent representative to the UN?"},
                {"id": "b", "question": "What is the capital of Australia?"},
                {"id": "c", "question": "   "},
            ]
        ),
        encoding="utf-8",
    )
    done = run(["ask", "--json", "--batch", str(batch)], env)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert "Rybakov" in rows[0]["answer"]
    assert rows[1]["abstained"] is True
    assert "empty" in rows[2]["error"]


def _shown(row: dict) -> str:
    return row["answer"] + " ".join(c["passage"] for c in row["citations"])


def test_batch_conversation_answers_a_follow_up_with_its_own_history(
    env: dict[str, str], tmp_path: Path
) -> None:
    follow_up = "what did he accuse them of?"
    batch = tmp_path / "conversation.jsonl"
    batch.write_text(
        "\n".join(
            json.dumps(q)
            for q in [
                {
                    "id": "un-1",
                    "conversation": "un",
                    "question": "Who is Belarus' permanent representative to the UN?",
                },
                # another conversation in between must not become un's history
                {"id": "tm-1", "conversation": "tm", "question": "What did Putin say?"},
                {"id": "un-2", "conversation": "un", "question": follow_up},
                {"id": "alone", "question": follow_up},
            ]
        ),
        encoding="utf-8",
    )
    done = run(["ask", "--json", "--batch", str(batch)], env)
    assert done.returncode == 0, done.stderr
    rows = {r["id"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert list(rows) == ["un-1", "tm-1", "un-2", "alone"]
    assert rows["un-2"]["conversation"] == "un" and "conversation" not in rows["alone"]
    assert "Rybakov" in _shown(rows["un-1"])
    assert "Rybakov" in _shown(rows["un-2"])  # "he" resolved against turn 1
    assert "Rybakov" not in _shown(rows["alone"])  # the same words with no history


def test_batch_rejects_a_bad_conversation_key(env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "bad.jsonl"
    batch.write_text(
        json.dumps({"id": "a", "question": "Who?"})
        + "\n"
        + json.dumps({"id": "b", "question": "Who?", "conversation": ["x"]}),
        encoding="utf-8",
    )
    done = run(["ask", "--json", "--batch", str(batch)], env)
    assert done.returncode == 2
    assert f"{batch}:2" in done.stderr and "'conversation'" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and done.stdout == ""


def test_filters_by_outlet(env: dict[str, str]) -> None:
    done = run(["ask", "--json", "--outlet", "TIME", "What did Putin say?"], env)
    data = json.loads(done.stdout)
    assert data["retrieved"] and {r["outlet"] for r in data["retrieved"]} == {"TIME"}


def test_sources_lists_every_article(env: dict[str, str]) -> None:
    done = run(["sources"], env)
    assert done.returncode == 0
    assert "5 articles." in done.stdout
    for outlet in ("Pozirk", "TASS", "RT", "TIME"):
        assert outlet in done.stdout


def test_chat_resolves_follow_ups(env: dict[str, str]) -> None:
    done = run(
        ["chat"],
        env,
        stdin="How many illegal entry attempts via Poland in 2024?\nand via Latvia?\n",
    )
    assert done.returncode == 0, done.stderr
    assert "5,200" in done.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["ask"], 2, "Ask a question"),
        (["ask", ""], 2, "empty"),
        (["ask", "x" * 5000], 2, "keep it under"),
        (["ask", "--since", "2024-13-01", "q"], 2, "not a date"),
        (["ask", "--since", "2024-02-01", "--until", "2024-01-01", "q"], 2, "swap"),
        (["ingest", "/no/such/folder"], 2, "No such file"),
        (["bogus"], 2, "invalid choice"),
        (["ask", "--answerer", "nope", "q"], 2, "Unknown answerer"),
    ],
)
def test_user_mistakes_get_one_line_and_exit_2(env, args, code, message) -> None:
    done = run(args, env)
    assert done.returncode == code
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_unreachable_chroma_server_is_a_runtime_error(env: dict[str, str]) -> None:
    done = run(["ask", "q?"], {**env, "RAG_CHROMA_URL": "http://127.0.0.1:9"})
    assert done.returncode == 1
    assert "http://127.0.0.1:9" in done.stderr and "Traceback" not in done.stderr


def test_corrupt_index_says_how_to_recover(tmp_path: Path, env: dict[str, str]) -> None:
    data = tmp_path / "broken"
    (data / "chroma").mkdir(parents=True)
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    done = run(["ask", "q?"], {**env, "RAG_DATA_DIR": str(data)})
    assert done.returncode == 1
    assert "rag ingest" in done.stderr and "Traceback" not in done.stderr


def test_chat_answers_small_talk_without_searching(env: dict[str, str]) -> None:
    done = run(["chat"], env, stdin="Who closed the Kuznica checkpoint?\nthanks!\nПривет\n")
    assert done.returncode == 0, done.stderr
    assert "welcome" in done.stdout  # "thanks!" is thanked, not answered with a quote
    assert "Здравствуйте" in done.stdout and "TASS" in done.stdout  # in Russian, what it knows
    assert "do not say" not in done.stdout
