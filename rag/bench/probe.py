"""Measurements that need a process of their own: cold start of `rag ask`, bot memory.

The parent side runs subprocesses; `python -m rag.bench.probe cold|bot` is the child side,
which prints one JSON object on stdout.
"""

from __future__ import annotations

import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BOT_QUESTIONS = 20
Server = tuple[str, str]  # (Chroma server URL, collection)
DUMMY_TOKEN = "123456:bench-token-never-sent"


def child_env(data_dir: Path, server: Server | None = None) -> dict[str, str]:
    """The environment of a measured process: this one's, on `data_dir`, without a bot token;
    the embedded store unless `server` gives (Chroma URL, collection)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    for name in ("RAG_CHROMA_URL", "RAG_CHROMA_TOKEN", "RAG_COLLECTION"):
        env.pop(name, None)
    env["RAG_DATA_DIR"] = str(data_dir)
    if server is not None:
        env["RAG_CHROMA_URL"], env["RAG_COLLECTION"] = server
    return env


def rag_command() -> list[str]:
    """How to run `rag`: the console script next to this interpreter, else `python -m rag`."""
    script = shutil.which("rag", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "rag"]


def _run(command: list[str], env: dict[str, str], stdin: str = "") -> str:
    done = subprocess.run(
        command, env=env, input=stdin, capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])}… failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def cold_start(
    data_dir: Path, question: str, runs: int = 3, server: Server | None = None
) -> dict[str, Any]:
    """Wall time of `rag ask QUESTION` from process start to exit (median of `runs`), plus
    an in-process breakdown (imports, opening the index, first answer)."""
    env = child_env(data_dir, server)
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        _run([*rag_command(), "ask", question], env)
        seconds.append(time.perf_counter() - began)
    began = time.perf_counter()
    breakdown = json.loads(_run([sys.executable, "-m", "rag.bench.probe", "cold"], env, question))
    total = time.perf_counter() - began
    breakdown["interpreter_s"] = round(total - sum(breakdown.values()), 3)
    return {
        "runs_s": [round(s, 3) for s in seconds],
        "median_s": round(statistics.median(seconds), 3),
        "breakdown_s": breakdown,
    }


def profile_cold_start(data_dir: Path, question: str, out: Path) -> None:
    """`rag ask` under cProfile (`python -m cProfile -m rag ask …`); its profile to `out`."""
    from rag.bench.stats import write_profile

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "cold.prof"
        command = [sys.executable, "-m", "cProfile", "-o", str(raw), "-m", "rag", "ask"]
        _run([*command, question], child_env(data_dir))
        write_profile(pstats.Stats(str(raw)), out)


def bot_memory(
    data_dir: Path, questions: list[str], server: Server | None = None
) -> dict[str, Any]:
    """Peak RSS (VmHWM) of a process that builds the bot's Application, opens the pipeline and
    answers BOT_QUESTIONS questions (no network: the token is a dummy, polling never starts)."""
    stdin = "\n".join(questions[:BOT_QUESTIONS])
    return json.loads(
        _run([sys.executable, "-m", "rag.bench.probe", "bot"], child_env(data_dir, server), stdin)
    )


# -- child side -------------------------------------------------------------------------------


def _child_cold(question: str) -> dict[str, float]:
    began = time.perf_counter()
    from rag.config import Settings
    from rag.formatting import render_answer
    from rag.pipeline import Pipeline

    imported = time.perf_counter()
    pipeline = Pipeline.open(Settings.from_env(env_file=None), auto_ingest=False)
    opened = time.perf_counter()
    render_answer(pipeline.ask(question))
    answered = time.perf_counter()
    return {
        "imports_s": round(imported - began, 3),
        "open_index_s": round(opened - imported, 3),
        "first_answer_s": round(answered - opened, 3),
    }


def _child_bot(questions: list[str]) -> dict[str, Any]:
    import dataclasses
    import resource

    from rag.bench.stats import own_memory
    from rag.config import Settings
    from rag.pipeline import Pipeline

    settings = dataclasses.replace(Settings.from_env(env_file=None), telegram_token=DUMMY_TOKEN)
    try:
        from bot.app import build_application
    except ImportError as exc:
        build, mode = None, f"pipeline only: bot.app is not importable ({exc})"
    else:
        build, mode = build_application, "bot.app.build_application + pipeline"
    pipeline = Pipeline.open(settings, auto_ingest=False)
    if build is not None:
        build(settings, pipeline)
    after_open = own_memory()["rss_mb"]
    for question in questions:
        pipeline.ask(question)
    memory = own_memory()
    return {
        "mode": mode,
        "questions": len(questions),
        "rss_after_open_mb": after_open,
        "rss_after_questions_mb": memory["rss_mb"],
        # VmHWM: this process's own peak. ru_maxrss is not used: Linux carries the parent's
        # resident size over fork+exec into it, so a big parent inflates it.
        "peak_rss_mb": memory["peak_rss_mb"],
        "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str]) -> int:
    """Child entry point: `cold` reads one question on stdin, `bot` one question a line."""
    text = sys.stdin.read()
    if argv == ["cold"]:
        result: dict[str, Any] = _child_cold(text.strip())
    elif argv == ["bot"]:
        result = _child_bot([q for q in text.splitlines() if q.strip()])
    else:
        print("usage: python -m rag.bench.probe cold|bot < questions", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
