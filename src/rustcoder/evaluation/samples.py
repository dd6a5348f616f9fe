"""Read a samples file: one JSON object per line with `task_id` and `completion` or `solution`."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustcoder.errors import DataError
from rustcoder.jsonl import read_jsonl
from rustcoder.types import Sample

log = logging.getLogger(__name__)

META_FIELDS = {
    "attempts": int,
    "gen_seconds": float,
    "ttft_seconds": float,
    "tokens": int,
    "tokens_per_second": float,
    "rounds": int,
    "call": int,
}
"""Optional generation figures a sample may carry; they are copied into its result."""


@dataclass(frozen=True, slots=True)
class SampleSet:
    samples: list[Sample]
    warnings: list[str]


def sample_digest(sample: Sample) -> str:
    """Identifies a sample's content, so a resumed run never mixes results of different samples."""
    kind, text = (
        ("completion", sample.completion) if sample.completion is not None else ("solution", sample.solution)
    )
    payload = f"{sample.task_id}\x00{sample.index}\x00{kind}\x00{text}"
    return hashlib.sha256(payload.encode("utf-8", errors="surrogatepass")).hexdigest()[:16]


def _meta(row: dict[str, Any], where: str) -> dict[str, float | int | str]:
    meta: dict[str, float | int | str] = {}
    for name, kind in META_FIELDS.items():
        value = row.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DataError(f"{where}: field {name!r} must be a number, got {value!r}")
        meta[name] = kind(value)
    error = row.get("error")
    if error:
        meta["error"] = str(error)[:500]
    return meta


def _parse(row: dict[str, Any], where: str) -> tuple[str, str | None, str | None, int | None]:
    task_id = row.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise DataError(f"{where}: missing or empty 'task_id'")
    completion, solution = row.get("completion"), row.get("solution")
    if (completion is None) == (solution is None):
        raise DataError(f"{where}: needs exactly one of 'completion' or 'solution'")
    text = completion if completion is not None else solution
    if not isinstance(text, str):
        raise DataError(f"{where}: 'completion'/'solution' must be a string, got {type(text).__name__}")
    index = row.get("sample_index")
    if index is not None and (isinstance(index, bool) or not isinstance(index, int) or index < 0):
        raise DataError(f"{where}: 'sample_index' must be a non-negative integer, got {index!r}")
    return task_id, completion, solution, index


def load_samples(path: Path, known_ids: set[str]) -> SampleSet:
    """Validate and number the samples; unknown task ids and conflicting duplicates are errors.

    A sample's index is its `sample_index` field, else its position among its task's lines. A line that
    repeats another exactly (same task, index and code) is dropped with a warning.
    """
    samples: list[Sample] = []
    warnings: list[str] = []
    seen: dict[tuple[str, int], tuple[int, str]] = {}
    counters: dict[str, int] = defaultdict(int)
    unknown: dict[str, int] = {}
    for line, row in read_jsonl(path):
        where = f"{path}:{line}"
        task_id, completion, solution, index = _parse(row, where)
        if task_id not in known_ids:
            unknown.setdefault(task_id, line)
            continue
        if index is None:
            index = counters[task_id]
        counters[task_id] = max(counters[task_id], index + 1)
        sample = Sample(task_id, index, completion, solution, _meta(row, where), line)
        digest = sample_digest(sample)
        if (task_id, index) in seen:
            first_line, first_digest = seen[(task_id, index)]
            if first_digest != digest:
                raise DataError(
                    f"{where}: sample {index} of {task_id} differs from the one on line {first_line}; "
                    "give each sample its own sample_index"
                )
            warnings.append(f"{where}: duplicate of line {first_line} ({task_id}, sample {index}); ignored")
            continue
        seen[(task_id, index)] = (line, digest)
        samples.append(sample)
    if unknown:
        listed = ", ".join(f"{tid!r} (line {ln})" for tid, ln in list(unknown.items())[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        raise DataError(f"{path}: {len(unknown)} unknown task id(s) for this benchmark: {listed}{more}")
    if not samples:
        raise DataError(f"{path}: no samples")
    return SampleSet(samples, warnings)
