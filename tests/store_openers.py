"""A worker for tests that open one new data directory from several processes at once.

It lives in its own module because `spawn` workers import their target by module name.
"""

from pathlib import Path


def open_when_released(data_dirs: list[str], barrier) -> list[str]:
    """Open each data directory's store as soon as every worker is ready; report errors."""
    from rag.config import Settings
    from rag.store import PassageStore

    errors = []
    for data_dir in data_dirs:
        settings = Settings.from_env(env_file=None, data_dir=Path(data_dir))
        barrier.wait()
        try:
            store = PassageStore.open(settings)
            store.count()
            store.close()
        except Exception as exc:  # the test reports every failure
            errors.append(f"{data_dir}: {type(exc).__name__}: {exc}")
    return errors
