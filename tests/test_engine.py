"""How the executor cuts work into batches."""

import pytest

from rustcoder.execute.engine import ExecConfig, Executor, balanced_chunks
from rustcoder.types import Sample, Status
from tests.conftest import fixture_problems


@pytest.mark.parametrize(
    ("count", "cap", "workers", "sizes"),
    [
        (164, 96, 2, [82, 82]),  # one crate per core
        (164, 48, 2, [41, 41, 41, 41]),  # not 48 + 48 + 48 + 20
        (164, 24, 2, [21, 21, 21, 21, 20, 20, 20, 20]),
        (1000, 96, 2, [84] * 4 + [83] * 8),
        (3, 96, 2, [2, 1]),
        (1, 96, 4, [1]),
        (5, 96, 8, [1] * 5),  # never an empty chunk
        (0, 96, 2, []),
    ],
)
def test_batches_are_balanced_and_fill_every_worker(count, cap, workers, sizes):
    chunks = balanced_chunks(list(range(count)), cap, workers)
    assert [len(c) for c in chunks] == sizes
    assert [x for c in chunks for x in c] == list(range(count))  # in order, nothing lost


def test_oversized_and_invalid_code_is_rejected_without_compiling_or_a_sandbox(run_samples):
    """Nothing reaches rustc or the sandbox: the executor refuses these programs before either."""
    sum_problem = fixture_problems("humanevalx_mini.jsonl")[0]
    engine = Executor(ExecConfig(jobs=1))
    results = run_samples(
        [
            (sum_problem, Sample(sum_problem.task_id, 0, completion="x" * (10 << 20))),
            (sum_problem, Sample(sum_problem.task_id, 1, completion="\udc80")),
            (sum_problem, Sample(sum_problem.task_id, 2, completion="\x00")),
        ],
        engine,
    )
    assert engine._sandbox is None and engine._toolchain is None
    assert results["Mini/0/0"].status is Status.COMPILE_ERROR and "limit" in results["Mini/0/0"].reason
    assert "UTF-8" in results["Mini/0/1"].reason
    assert "NUL" in results["Mini/0/2"].reason
