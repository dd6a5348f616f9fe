"""Results files: one `ResultRecord` per line, appended as results land, read back for resuming."""

from __future__ import annotations

from pathlib import Path

from rustcoder.errors import DataError
from rustcoder.evaluation.samples import sample_digest
from rustcoder.jsonl import read_jsonl
from rustcoder.types import ExecResult, Problem, ResultRecord, Sample, Status


def result_record(sample: Sample, result: ExecResult, problem: Problem | None = None) -> ResultRecord:
    """The record of one executed sample (with FIM scores when `problem` is a fill-in-the-middle task)."""
    fim = None
    if problem is not None and problem.fill_in_the_middle and sample.completion is not None:
        from rustcoder.evaluation.fim_scores import fim_scores

        fim = fim_scores(problem, sample.completion)
    return ResultRecord(
        task_id=sample.task_id,
        sample_index=sample.index,
        sample_sha=sample_digest(sample),
        status=result.status,
        reason=result.reason,
        error_codes=tuple(result.error_codes),
        tests_total=result.tests_total,
        tests_passed=result.tests_passed,
        compile_seconds=result.compile_seconds,
        run_seconds=result.run_seconds,
        batch_size=result.batch_size,
        meta=dict(sample.meta),
        stdout=result.stdout,
        stderr=result.stderr,
        compile_output=result.compile_output,
        fim=fim,
        labels=dict(problem.labels) if problem is not None else {},
    )


def read_results(path: Path) -> dict[tuple[str, int], ResultRecord]:
    """Records by (task id, sample index); a later record replaces an earlier one (a retried sample).

    A last line cut off by a kill is ignored; anything else malformed is an error naming the line.
    """
    records: dict[tuple[str, int], ResultRecord] = {}
    if not path.exists():
        return records
    for line, row in read_jsonl(path, allow_torn_tail=True):
        try:
            record = ResultRecord.from_json(row, line)
        except (KeyError, ValueError, TypeError) as exc:
            raise DataError(f"{path}:{line}: not a rustcoder result record ({exc})") from exc
        records[record.key] = record
    return records


RETRIED = frozenset({Status.SANDBOX_ERROR, Status.BACKEND_ERROR})
"""Statuses that say nothing about the sample's code: resuming executes the sample again."""


def reusable(
    existing: dict[tuple[str, int], ResultRecord], samples: list[Sample], path: Path
) -> set[tuple[str, int]]:
    """Keys whose existing result can be kept. A record for different content is an error, never reused.

    Sandbox and backend errors are not kept: they say nothing about the sample's code, so resuming
    runs them again (a backend error's sample has usually been generated again by then).
    """
    by_key = {s.key: s for s in samples}
    keep: set[tuple[str, int]] = set()
    for key, row in existing.items():
        sample = by_key.get(key)
        if row.status is Status.BACKEND_ERROR and sample is not None:
            continue  # its sample was generated again: a new version is expected
        if sample is None or row.sample_sha != sample_digest(sample):
            what = (
                "a sample not in this samples file"
                if sample is None
                else "a different version of this sample"
            )
            raise DataError(
                f"{path}:{row.line}: holds a result for {what} ({key[0]}, sample {key[1]}); "
                "write to another --out or pass --overwrite"
            )
        if row.status not in RETRIED:
            keep.add(key)
    return keep
