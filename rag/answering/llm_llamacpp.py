"""The `llamacpp` answerer: a local GGUF model file (RAG_LLM_MODEL_PATH) run in-process by
llama-cpp-python, with the chat template stored in the file. No server, no network.

The model is loaded once, when the answerer is created; one question at a time uses it (a
lock), and generation stops when RAG_LLM_TIMEOUT runs out.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.answering.llm import Deadline, LLMAnswerer, LLMUnavailable, TokenSink
from rag.answering.prompting import Message
from rag.errors import ConfigError

if TYPE_CHECKING:
    from rag.config import Settings

CONTEXT_TOKENS = 4096  # prompt (six short passages and the rules) plus the answer


class LlamaCppAnswerer(LLMAnswerer):
    """Answers with a GGUF model through `llama_cpp.Llama.create_chat_completion`."""

    name = "llamacpp"

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        if not settings.llm_model_path:
            raise ConfigError("RAG_LLM_MODEL_PATH is not set: point it at a .gguf model file.")
        path = Path(settings.llm_model_path).expanduser()
        if not path.is_file():
            raise ConfigError(f"RAG_LLM_MODEL_PATH: no such file {path}. Point it at a .gguf file.")
        try:
            import llama_cpp
        except ImportError as exc:
            raise ConfigError(
                f"The llamacpp answerer needs llama-cpp-python ({exc}): "
                "pip install 'rag-news[llamacpp]' (it compiles llama.cpp: several minutes)."
            ) from None
        try:
            self.llm = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=CONTEXT_TOKENS,
                # Both phases on RAG_THREADS (batch defaults to every core): llama.cpp's
                # threads spin while waiting for each other, so more threads than free cores
                # makes it many times slower, not faster.
                n_threads=settings.threads,
                n_threads_batch=settings.threads,
                verbose=False,
            )
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
    ) -> str:
        """See LLMAnswerer.complete; always generates token by token to keep the deadline."""
        if not self._lock.acquire(timeout=deadline.remaining()):
            raise LLMUnavailable("the local model stayed busy with other questions")
        try:
            stream = self.llm.create_chat_completion(
                messages=messages,
                max_tokens=max_tokens,
                temperature=0.0,
                stop=list(stop),
                stream=True,
            )
            parts: list[str] = []
            try:
                for chunk in stream:
                    piece = chunk["choices"][0]["delta"].get("content") or ""
                    if piece:
                        parts.append(piece)
                        if on_token is not None:
                            on_token(piece)
                    deadline.check()
            finally:
                stream.close()
            return "".join(parts)
        except (ValueError, RuntimeError) as exc:  # e.g. the prompt exceeds the context
            raise LLMUnavailable(f"the local model failed: {exc}") from None
        finally:
            self._lock.release()
