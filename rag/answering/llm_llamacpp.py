"""The `llamacpp` answerer: a local GGUF model file (RAG_LLM_MODEL_PATH) run in-process by
xllamacpp — llama.cpp's own server code, prebuilt for CPUs, with the chat template stored in
the file. Nothing compiles at install; no server, no network.

The model is loaded once, when the answerer is created; one question at a time uses it (a
lock), and generation stops when RAG_LLM_TIMEOUT runs out. Answers are asked for in a JSON
schema (`{"answer": "…[1]…"}` or `{"decline": true}`), enforced by llama.cpp's grammar, so the
answer and a refusal are parsed, never guessed from free text.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.answering.llm import Deadline, LLMAnswerer, LLMUnavailable, TokenSink
from rag.answering.prompting import Message
from rag.errors import ConfigError

if TYPE_CHECKING:
    from rag.config import Settings

GGUF_MAGIC = b"GGUF"


class LlamaCppAnswerer(LLMAnswerer):
    """Answers with a GGUF model through xllamacpp's in-process chat completions."""

    name = "llamacpp"
    structured = True  # answers in rag.answering.structured's JSON schema

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        path = model_file(settings.llm_model_path)
        try:
            import xllamacpp
        except ImportError as exc:
            raise ConfigError(
                f"The llamacpp answerer needs xllamacpp ({exc}): pip install 'rag-news[llamacpp]' "
                "(a prebuilt wheel: nothing compiles)."
            ) from None
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = settings.llm_ctx
        # Both phases on RAG_THREADS: llama.cpp's threads spin while waiting for each other, so
        # more threads than free cores makes it many times slower, not faster.
        params.cpuparams.n_threads = settings.threads
        params.cpuparams_batch.n_threads = settings.threads
        params.n_parallel = 1
        params.warmup = False
        # xllamacpp always opens llama.cpp's HTTP listener; port 0 puts it on a free port of
        # 127.0.0.1 (its default host), unused: questions come through handle_chat_completions.
        params.hostnames = ["127.0.0.1"]
        params.port = 0
        try:
            self.server = xllamacpp.Server(params)
        except (ValueError, RuntimeError) as exc:
            raise ConfigError(f"Cannot load the model {path}: {exc}. Is it a GGUF file?") from None
        self._lock = threading.Lock()

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        stop: Sequence[str],
        deadline: Deadline,
        on_token: TokenSink | None = None,
        json_schema: dict[str, Any] | None = None,
    ) -> str:
        """See LLMAnswerer.complete; always generates token by token to keep the deadline."""
        if not self._lock.acquire(timeout=deadline.remaining()):
            raise LLMUnavailable("the local model stayed busy with other questions")
        try:
            request: dict[str, Any] = {
                "messages": messages,
                "max_tokens": max_tokens,
                "temperature": 0.0,
                "stop": list(stop),
                "stream": True,
            }
            if json_schema is not None:
                request["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "answer", "schema": json_schema},
                }
            parts: list[str] = []
            errors: list[str] = []

            def on_chunk(chunk: Any) -> bool:
                """Collect one streamed piece; returning True stops generation."""
                if isinstance(chunk, str):
                    chunk = json.loads(chunk)
                if not isinstance(chunk, dict) or "error" in chunk:
                    errors.append(str(chunk.get("error") if isinstance(chunk, dict) else chunk))
                    return True
                for choice in chunk.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        parts.append(piece)
                        if on_token is not None:
                            on_token(piece)
                return time.monotonic() >= deadline.end  # past the deadline: stop

            try:
                self.server.handle_chat_completions(request, on_chunk)
            except LLMUnavailable:
                raise
            except (ValueError, RuntimeError) as exc:  # e.g. the prompt exceeds the context
                raise LLMUnavailable(f"the local model failed: {exc}") from None
            if errors:
                raise LLMUnavailable(f"the local model failed: {errors[0][:200]}")
            deadline.check()
            return "".join(parts)
        finally:
            self._lock.release()


def model_file(configured: str) -> Path:
    """The GGUF file RAG_LLM_MODEL_PATH names, checked before llama.cpp reads it."""
    if not configured:
        raise ConfigError("RAG_LLM_MODEL_PATH is not set: point it at a .gguf model file.")
    path = Path(configured).expanduser()
    if not path.is_file():
        raise ConfigError(f"RAG_LLM_MODEL_PATH: no such file {path}. Point it at a .gguf file.")
    with path.open("rb") as f:
        if f.read(4) != GGUF_MAGIC:
            raise ConfigError(f"RAG_LLM_MODEL_PATH: {path} is not a GGUF model file.")
    return path
