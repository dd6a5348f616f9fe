"""What an adapter's record (`rustcoder-tune.json`) says about the data it saw; readable without torch."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

RECORD_FILE = "rustcoder-tune.json"


_HUMANEVAL = re.compile(r"^(?:[A-Za-z]+/(\d+)(?:/|$)|HumanEval_(\d+)_)")


def humaneval_number(task_id: str) -> int | None:
    """The HumanEval problem a task of a HumanEval translation is (`Rust/12`, `Rust/12/block2`,
    `HumanEval/12`, MultiPL-E's `HumanEval_12_name`), else None."""
    found = _HUMANEVAL.match(task_id)
    return int(found.group(1) or found.group(2)) if found else None


def _translation(name: str) -> bool:
    return "humaneval" in Path(name).name.lower()


def trained_problems(
    adapter: Path, benchmark_sha256: str, benchmark_name: str = "", task_ids: Iterable[str] = ()
) -> list[str]:
    """Task ids of the benchmark (known by its data's sha256) whose reference solutions `adapter` was
    trained on (its `train_split`); for another HumanEval translation (`benchmark_name` and its
    `task_ids`: MultiPL-E's, the infill tasks cut from HumanEvalPack's solutions), its tasks of the same
    HumanEval problems. Empty for an adapter without a record or trained on other data."""
    folder = adapter if adapter.is_dir() else adapter.parent  # a GGUF exported into the adapter's folder
    path = folder / RECORD_FILE
    if not path.is_file():
        return []
    record = json.loads(path.read_text(encoding="utf-8"))
    split = record.get("train_split") or {}
    trained = list(split.get("trained", []))
    source = split.get("benchmark", {})
    ids = list(task_ids)
    same_data = source.get("sha256") == benchmark_sha256
    if same_data and (not ids or set(trained) <= set(ids)):  # the split benchmark itself
        return trained
    # the same data cut into other tasks (the infill tasks share HumanEvalPack's file), or a translation
    translation = _translation(str(source.get("name", ""))) and _translation(benchmark_name)
    if not (trained and (same_data or translation)):
        return []
    numbers = {humaneval_number(t) for t in trained}
    return [t for t in ids if (n := humaneval_number(t)) is not None and n in numbers]
