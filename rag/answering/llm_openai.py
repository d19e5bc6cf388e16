"""The `openai` answerer: any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, llama.cpp's
server, LM Studio), through the official `openai` SDK.

Configured by RAG_LLM_BASE_URL (empty: OpenAI itself), RAG_LLM_API_KEY (local servers need
none) and RAG_LLM_MODEL. The SDK's own retries are off: one slow or failed call already
means the extractive fallback, within RAG_LLM_TIMEOUT seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import openai

from rag.answering.llm import Deadline, LLMAnswerer, LLMUnavailable, TokenSink
from rag.answering.prompting import Message
from rag.errors import ConfigError

if TYPE_CHECKING:
    from rag.config import Settings

NO_KEY = "not-needed"  # the SDK insists on a key; local servers ignore it


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise LLMUnavailable("its reply was malformed")
    return value


def _reply_text(response: Any) -> str:
    """The message text of a chat completion; LLMUnavailable when the reply has none."""
    try:
        return _text(response.choices[0].message.content)
    except (AttributeError, IndexError, TypeError):
        raise LLMUnavailable("its reply was malformed") from None


def _delta_text(chunk: Any) -> str:
    """The new text in one streamed chunk ('' for role-only or empty chunks)."""
    try:
        choices = chunk.choices
        return _text(choices[0].delta.content) if choices else ""
    except (AttributeError, IndexError, TypeError):
        raise LLMUnavailable("its reply was malformed") from None


class OpenAIAnswerer(LLMAnswerer):
    """Answers through `POST {base_url}/chat/completions`."""

    name = "openai"

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        if not settings.llm_model:
            raise ConfigError(
                "RAG_LLM_MODEL is not set: name the model to ask, e.g. llama3.2 (Ollama) or "
                "gpt-4o-mini (OpenAI)."
            )
        if not settings.llm_base_url and not settings.llm_api_key:
            raise ConfigError(
                "Set RAG_LLM_BASE_URL to an OpenAI-compatible server (e.g. "
                "http://127.0.0.1:11434/v1 for Ollama), or RAG_LLM_API_KEY to use OpenAI."
            )
        self.model = settings.llm_model
        self.client = openai.OpenAI(
            base_url=settings.llm_base_url or None,
            api_key=settings.llm_api_key or NO_KEY,
            timeout=settings.llm_timeout,
            max_retries=0,
        )
        self.where = settings.llm_base_url or "the OpenAI API"

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        stop: Sequence[str],
        deadline: Deadline,
        on_token: TokenSink | None = None,
    ) -> str:
        """See LLMAnswerer.complete."""
        request: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "stop": list(stop),
            "timeout": deadline.remaining(),
        }
        try:
            if on_token is None:
                return _reply_text(self.client.chat.completions.create(**request))
            parts: list[str] = []
            with self.client.chat.completions.create(**request, stream=True) as stream:
                for chunk in stream:
                    piece = _delta_text(chunk)
                    if piece:
                        parts.append(piece)
                        on_token(piece)
                    deadline.check()
            return "".join(parts)
        except openai.APITimeoutError:
            raise deadline.expired() from None
        except openai.APIConnectionError:
            raise LLMUnavailable(f"could not reach {self.where}") from None
        except openai.APIStatusError as exc:
            raise LLMUnavailable(f"{self.where} answered HTTP {exc.status_code}") from None
        except (openai.APIResponseValidationError, ValueError):  # JSON errors are ValueErrors
            raise LLMUnavailable("its reply was malformed") from None
