"""All configuration in one place: environment variables, optionally from a `.env` file.

Every setting is documented in the README's configuration table; keep the two in step.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from dotenv import load_dotenv
from platformdirs import user_data_dir

from rag.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS_DIR = PROJECT_ROOT / "seeds" / "corpus"
PROMPTS_DIR = PROJECT_ROOT / "prompts"
DEFAULT_HISTORY_TURNS = 4  # earlier turns a follow-up is resolved against


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(
            f"{name}={raw!r} is not a whole number: set it to e.g. {default}."
        ) from None
    if value < minimum:
        raise ConfigError(f"{name}={value} is too small: use {minimum} or more.")
    return value


def _float(name: str, default: float, minimum: float | None = None) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number: set it to e.g. {default}.") from None
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        floor = f"a number of at least {minimum}" if minimum is not None else "a finite number"
        raise ConfigError(f"{name}={raw} is out of range: use {floor}, e.g. {default}.")
    return value


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes/no value: set it to 1 or 0.")


def _str(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _ids(name: str) -> frozenset[int]:
    raw = os.environ.get(name, "").strip()
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(
                f"{name} holds {part!r}, which is not a Telegram id: use comma-separated numbers."
            ) from None
    return frozenset(ids)


@dataclass(frozen=True)
class Settings:
    """Resolved configuration. Build it with :meth:`from_env`; tests pass overrides."""

    data_dir: Path = field(default_factory=lambda: Path(user_data_dir("rag-news")))
    seeds_dir: Path = DEFAULT_SEEDS_DIR
    collection: str = "articles"
    threads: int = 2
    embed_batch: int = 32
    retrieve_k: int = 10
    max_citations: int = 3
    answerer: str = "extractive"
    multilingual: bool = True  # index multilingual vectors; answer questions in other languages
    chroma_url: str = ""
    chroma_token: str = ""
    # LLM answerers (optional)
    llm_base_url: str = ""
    llm_api_key: str = ""
    llm_model: str = ""
    llm_timeout: float = 30.0
    llm_model_path: str = ""
    # Earlier turns a follow-up is resolved against, in `rag chat`, batches, `rag eval` and the
    # condense prompt; the bot keeps TELEGRAM_HISTORY_TURNS (by default the same number).
    history_turns: int = DEFAULT_HISTORY_TURNS
    llm_ctx: int = 4096  # the llamacpp answerer's context: prompt (six passages) plus answer
    # Telegram front end (optional)
    telegram_token: str = ""
    telegram_api_base_url: str = ""
    telegram_allowed_ids: frozenset[int] = frozenset()
    telegram_rate_limit: int = 6  # questions per user per minute
    telegram_history_turns: int = DEFAULT_HISTORY_TURNS  # defaults to RAG_HISTORY_TURNS
    telegram_stream_interval: float = 1.0  # seconds between edits of a streamed answer
    telegram_delivery_timeout: float = 900.0  # seconds an answer is retried before giving up
    telegram_queue_limit: int = 10  # questions per person per chat waiting for the rate limit
    telegram_show_query: bool = False  # debugging: show what a follow-up was searched as
    log_level: str = "WARNING"

    @classmethod
    def from_env(cls, env_file: str | Path | None = ".env", **overrides: object) -> Settings:
        """Read settings from the environment, after loading `env_file` if it exists.

        Variables already set in the environment win over the file.
        """
        if env_file and Path(env_file).is_file():
            load_dotenv(env_file, override=False)
        history_turns = _int("RAG_HISTORY_TURNS", DEFAULT_HISTORY_TURNS, minimum=0)
        values: dict[str, object] = {
            "data_dir": Path(_str("RAG_DATA_DIR", user_data_dir("rag-news"))).expanduser(),
            "seeds_dir": Path(_str("RAG_SEEDS_DIR", str(DEFAULT_SEEDS_DIR))).expanduser(),
            "collection": _str("RAG_COLLECTION", "articles"),
            "threads": _int("RAG_THREADS", min(4, os.cpu_count() or 1), minimum=1),
            "embed_batch": _int("RAG_EMBED_BATCH", 32, minimum=1),
            "retrieve_k": _int("RAG_TOP_K", 10, minimum=1),
            "max_citations": _int("RAG_MAX_CITATIONS", 3, minimum=1),
            "answerer": _str("RAG_ANSWERER", "extractive"),
            "multilingual": _bool("RAG_MULTILINGUAL", True),
            "chroma_url": _str("RAG_CHROMA_URL"),
            "chroma_token": _str("RAG_CHROMA_TOKEN"),
            "llm_base_url": _str("RAG_LLM_BASE_URL"),
            "llm_api_key": _str("RAG_LLM_API_KEY"),
            "llm_model": _str("RAG_LLM_MODEL"),
            "llm_timeout": _float("RAG_LLM_TIMEOUT", 30.0),
            "llm_model_path": _str("RAG_LLM_MODEL_PATH"),
            "history_turns": history_turns,
            "llm_ctx": _int("RAG_LLM_CTX", 4096, minimum=512),
            "telegram_token": _str("TELEGRAM_BOT_TOKEN"),
            "telegram_api_base_url": _str("TELEGRAM_API_BASE_URL"),
            "telegram_allowed_ids": _ids("TELEGRAM_ALLOWED_IDS"),
            "telegram_rate_limit": _int("TELEGRAM_RATE_LIMIT", 6, minimum=0),
            "telegram_history_turns": _int("TELEGRAM_HISTORY_TURNS", history_turns, minimum=0),
            "telegram_stream_interval": _float("TELEGRAM_STREAM_INTERVAL", 1.0, minimum=0.0),
            "telegram_delivery_timeout": _float("TELEGRAM_DELIVERY_TIMEOUT", 900.0, minimum=0.0),
            "telegram_queue_limit": _int("TELEGRAM_QUEUE_LIMIT", 10, minimum=0),
            "telegram_show_query": _bool("TELEGRAM_SHOW_QUERY", False),
            "log_level": _str("RAG_LOG_LEVEL", "WARNING").upper(),
        }
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        values.update(overrides)
        for key in ("data_dir", "seeds_dir"):  # accept str overrides as well as Path
            values[key] = Path(values[key]).expanduser()  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]
