"""Result records: one JSON line per sample, appended as results land, read back for resuming."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rustcoder.errors import DataError
from rustcoder.evaluation.samples import sample_digest
from rustcoder.jsonl import read_jsonl
from rustcoder.types import ExecResult, Sample, Status


def result_record(sample: Sample, result: ExecResult) -> dict[str, Any]:
    """The JSON line for one executed sample."""
    return {
        "task_id": sample.task_id,
        "sample_index": sample.index,
        "sample_sha": sample_digest(sample),
        "status": result.status.value,
        "passed": result.passed,
        "reason": result.reason,
        "error_codes": result.error_codes,
        "tests_total": result.tests_total,
        "tests_passed": result.tests_passed,
        "compile_seconds": round(result.compile_seconds, 4),
        "run_seconds": round(result.run_seconds, 4),
        "batch_size": result.batch_size,
        **sample.meta,
        "stdout": result.stdout,
        "stderr": result.stderr,
        "compile_output": result.compile_output,
    }


def read_results(path: Path) -> dict[tuple[str, int], dict[str, Any]]:
    """Records by (task id, sample index); a later record replaces an earlier one (a retried sample).

    A last line cut off by a kill is ignored; anything else malformed is an error naming the line.
    """
    records: dict[tuple[str, int], dict[str, Any]] = {}
    if not path.exists():
        return records
    for line, row in read_jsonl(path, allow_torn_tail=True):
        try:
            key = (str(row["task_id"]), int(row["sample_index"]))
            Status(row["status"])
        except (KeyError, ValueError, TypeError) as exc:
            raise DataError(f"{path}:{line}: not a rustcoder result record ({exc})") from exc
        row["_line"] = line
        records[key] = row
    return records


RETRIED = frozenset({Status.SANDBOX_ERROR.value, Status.BACKEND_ERROR.value})
"""Statuses that say nothing about the sample's code: resuming executes the sample again."""


def reusable(
    existing: dict[tuple[str, int], dict[str, Any]], samples: list[Sample], path: Path
) -> set[tuple[str, int]]:
    """Keys whose existing result can be kept. A record for different content is an error, never reused.

    Sandbox and backend errors are not kept: they say nothing about the sample's code, so resuming
    runs them again (a backend error's sample has usually been generated again by then).
    """
    by_key = {s.key: s for s in samples}
    keep: set[tuple[str, int]] = set()
    for key, row in existing.items():
        sample = by_key.get(key)
        if row["status"] == Status.BACKEND_ERROR.value and sample is not None:
            continue  # its sample was generated again: a new version is expected
        if sample is None or row.get("sample_sha") != sample_digest(sample):
            what = (
                "a sample not in this samples file"
                if sample is None
                else "a different version of this sample"
            )
            raise DataError(
                f"{path}:{row['_line']}: holds a result for {what} ({key[0]}, sample {key[1]}); "
                "write to another --out or pass --overwrite"
            )
        if row["status"] not in RETRIED:
            keep.add(key)
    return keep
