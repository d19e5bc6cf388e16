"""Errors a user can act on. Each message says what to do next."""


class RagError(Exception):
    """Base class: the message is shown to the user as one line."""

    exit_code = 1


class UsageError(RagError):
    """The user asked for something malformed (bad option, bad file)."""

    exit_code = 2


class InvalidQuestion(UsageError):
    """The question is empty or too long to be a question."""


class ConfigError(UsageError):
    """A setting in the environment or `.env` is wrong."""


class ModelMissing(RagError):
    """The embedding model or its tokenizer is not installed or is damaged."""


class IndexUnavailable(RagError):
    """The vector store cannot be opened or reached."""


class LLMUnavailable(RagError):
    """The language model gave no usable answer; `reason` is a short phrase shown to the user.

    The LLM answerers catch it and fall back to the extractive answer, saying why; it reaches
    a front end only from code that calls a model directly.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
