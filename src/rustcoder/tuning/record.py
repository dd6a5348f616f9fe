"""What an adapter's record (`rustcoder-tune.json`) says about the data it saw; readable without torch."""

from __future__ import annotations

import json
from pathlib import Path

RECORD_FILE = "rustcoder-tune.json"


def trained_problems(adapter: Path, benchmark_sha256: str) -> list[str]:
    """Task ids of the benchmark (known by its data's sha256) whose reference solutions `adapter` was
    trained on (its `train_split`); empty for an adapter without a record or trained on other data."""
    folder = adapter if adapter.is_dir() else adapter.parent  # a GGUF exported into the adapter's folder
    path = folder / RECORD_FILE
    if not path.is_file():
        return []
    record = json.loads(path.read_text(encoding="utf-8"))
    split = record.get("train_split") or {}
    if split.get("benchmark", {}).get("sha256") != benchmark_sha256:
        return []
    return list(split.get("trained", []))
