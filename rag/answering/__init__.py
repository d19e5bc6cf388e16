"""Answerers: turn retrieved passages into a cited answer. Chosen by name (RAG_ANSWERER)."""

from rag.answering import extractive as _extractive  # noqa: F401  (registers "extractive")
from rag.answering import llm as _llm  # noqa: F401  (registers "openai" and "llamacpp")
from rag.answering.base import Answerer, AnswerRequest, available, create, register

__all__ = ["AnswerRequest", "Answerer", "available", "create", "register"]
