import json

import pytest

from rustcoder.errors import DataError
from rustcoder.evaluation.results import read_results, result_record, reusable
from rustcoder.evaluation.samples import load_samples, sample_digest
from rustcoder.metrics.summary import summary_path
from rustcoder.types import ExecResult, Sample, Status

IDS = {"T/0", "T/1"}


def write(path, *rows):
    path.write_text("".join(json.dumps(r if isinstance(r, dict) else r.to_json()) + "\n" for r in rows))
    return path


def test_samples_are_numbered_per_task(tmp_path):
    path = write(
        tmp_path / "s.jsonl",
        {"task_id": "T/0", "completion": "a"},
        {"task_id": "T/1", "solution": "b"},
        {"task_id": "T/0", "completion": "c", "attempts": 3, "gen_seconds": 1.5},
    )
    samples = load_samples(path, IDS).samples
    assert [(s.task_id, s.index) for s in samples] == [("T/0", 0), ("T/1", 0), ("T/0", 1)]
    assert samples[1].solution == "b" and samples[1].completion is None
    assert samples[2].meta == {"attempts": 3, "gen_seconds": 1.5}


def test_unknown_task_ids_are_listed(tmp_path):
    path = write(
        tmp_path / "s.jsonl",
        {"task_id": "T/0", "completion": "a"},
        {"task_id": "X/9", "completion": "b"},
        {"task_id": "Y/1", "completion": "c"},
    )
    with pytest.raises(DataError, match=r"2 unknown task id\(s\).*'X/9' \(line 2\), 'Y/1' \(line 3\)"):
        load_samples(path, IDS)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"completion": "a"}, "missing or empty 'task_id'"),
        ({"task_id": "T/0"}, "exactly one of 'completion' or 'solution'"),
        ({"task_id": "T/0", "completion": "a", "solution": "b"}, "exactly one of"),
        ({"task_id": "T/0", "completion": 5}, "must be a string"),
        ({"task_id": "T/0", "completion": "a", "sample_index": -1}, "non-negative integer"),
        ({"task_id": "T/0", "completion": "a", "attempts": "three"}, "must be a number"),
    ],
)
def test_malformed_samples_name_the_line(tmp_path, row, message):
    path = write(tmp_path / "s.jsonl", {"task_id": "T/1", "completion": "ok"}, row)
    with pytest.raises(DataError, match=f"s.jsonl:2: .*{message}"):
        load_samples(path, IDS)


def test_exact_duplicates_warn_and_conflicting_ones_fail(tmp_path):
    same = {"task_id": "T/0", "completion": "a", "sample_index": 0}
    result = load_samples(write(tmp_path / "s.jsonl", same, same), IDS)
    assert len(result.samples) == 1 and "duplicate of line 1" in result.warnings[0]
    with pytest.raises(DataError, match="differs from the one on line 1"):
        load_samples(write(tmp_path / "t.jsonl", same, dict(same, completion="b")), IDS)


def test_empty_and_huge_completions_are_accepted_as_samples(tmp_path):
    path = write(
        tmp_path / "s.jsonl",
        {"task_id": "T/0", "completion": ""},
        {"task_id": "T/1", "completion": "x" * (10 << 20)},
    )
    samples = load_samples(path, IDS).samples
    assert samples[0].completion == "" and len(samples[1].completion or "") == 10 << 20


def test_no_samples_is_an_error(tmp_path):
    with pytest.raises(DataError, match="no samples"):
        load_samples(write(tmp_path / "s.jsonl"), IDS)


def test_resume_keeps_matching_results_and_retries_sandbox_errors(tmp_path):
    a, b = Sample("T/0", 0, completion="a"), Sample("T/1", 0, completion="b")
    out = tmp_path / "r.jsonl"
    write(
        out, result_record(a, ExecResult(Status.PASSED)), result_record(b, ExecResult(Status.SANDBOX_ERROR))
    )
    assert reusable(read_results(out), [a, b], out) == {("T/0", 0)}


def test_resume_refuses_results_of_other_samples(tmp_path):
    a = Sample("T/0", 0, completion="a")
    out = write(tmp_path / "r.jsonl", result_record(a, ExecResult(Status.PASSED)))
    changed = Sample("T/0", 0, completion="different")
    with pytest.raises(DataError, match="different version of this sample"):
        reusable(read_results(out), [changed], out)
    with pytest.raises(DataError, match="not in this samples file"):
        reusable(read_results(out), [Sample("T/1", 0, completion="a")], out)


def test_later_record_replaces_earlier_one(tmp_path):
    a = Sample("T/0", 0, completion="a")
    out = write(
        tmp_path / "r.jsonl",
        result_record(a, ExecResult(Status.SANDBOX_ERROR)),
        result_record(a, ExecResult(Status.PASSED)),
    )
    records = read_results(out)
    assert len(records) == 1 and records[("T/0", 0)].status is Status.PASSED and records[("T/0", 0)].line == 2


def test_results_file_that_is_not_ours_is_rejected(tmp_path):
    out = write(tmp_path / "r.jsonl", {"hello": 1})
    with pytest.raises(DataError, match=r"r\.jsonl:1: not a rustcoder result record"):
        read_results(out)


def test_a_result_record_round_trips_in_0_1s_flat_layout():
    from rustcoder.types import ResultRecord

    sample = Sample("T/0", 0, completion="a", meta={"gen_seconds": 1.5, "attempts": 2})
    record = result_record(sample, ExecResult(Status.COMPILE_ERROR, reason="E0308", error_codes=["E0308"]))
    row = record.to_json()
    assert list(row)[:12] == [
        "task_id", "sample_index", "sample_sha", "status", "passed", "reason", "error_codes",
        "tests_total", "tests_passed", "compile_seconds", "run_seconds", "batch_size",
    ]  # fmt: skip
    assert row["gen_seconds"] == 1.5 and row["passed"] is False and list(row)[-1] == "compile_output"
    again = ResultRecord.from_json(row)
    assert again == record and again.figure("attempts") == 2.0 and again.figure("reason") is None


def test_digest_depends_on_kind_and_text():
    assert sample_digest(Sample("T", 0, completion="x")) != sample_digest(Sample("T", 0, solution="x"))
    assert sample_digest(Sample("T", 0, completion="x")) == sample_digest(Sample("T", 0, completion="x"))
    assert summary_path(__import__("pathlib").Path("runs/a/results.jsonl")).name == "results.summary.json"
