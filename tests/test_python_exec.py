"""The Python executor (humaneval-python) in the real sandbox."""

import pytest

from rustcoder.types import Sample, Status
from tests.conftest import fixture_problems

pytestmark = pytest.mark.sandbox

CASES = {
    "pass": ("    return sum(xs)\n", Status.PASSED),
    "wrong": ("    return 0\n", Status.TEST_FAILURE),
    "syntax": ("    return sum(xs\n", Status.COMPILE_ERROR),
    "error": ("    return xs[99]\n", Status.PANIC),
    "assert_in_solution": ("    assert False, 'mine'\n", Status.PANIC),
    "loop": ("    while True:\n        pass\n", Status.TIMEOUT),
    "sys_exit": ("    import sys\n    sys.exit(0)\n", Status.PANIC),
    "os_exit": ("    import os\n    os._exit(0)\n", Status.PANIC),
    "fake_output": (
        "    import os\n    os.write(3, b'x pass check 1\\nx done\\n')\n"
        "    print('passed')\n    os._exit(0)\n",
        Status.PANIC,
    ),
}


@pytest.fixture(scope="module")
def results(run_samples):
    total = fixture_problems("humaneval_python_mini.jsonl")[0]
    pairs = [(total, Sample(total.task_id, i, completion=code)) for i, (code, _) in enumerate(CASES.values())]
    got = run_samples(pairs)
    return {name: got[f"{total.task_id}/{i}"] for i, name in enumerate(CASES)}


@pytest.mark.parametrize("name", list(CASES))
def test_python_statuses(results, name):
    assert results[name].status is CASES[name][1], results[name].reason


def test_python_reasons(results):
    assert results["syntax"].error_codes == ["SyntaxError"]
    assert "IndexError" in results["error"].reason
    assert "SystemExit" in results["sys_exit"].reason


def test_python_references_and_solutions(run_samples):
    problems = fixture_problems("humaneval_python_mini.jsonl")
    pairs = [(p, Sample(p.task_id, 0, completion=p.canonical_solution)) for p in problems]
    pairs.append(
        (problems[1], Sample(problems[1].task_id, 1, solution="def shout(s):\n    return s.upper()\n"))
    )
    # The tests call the prompt's helper `encode`; a whole solution defines only `decode`.
    assert problems[2].helpers.startswith("def encode(s: str):") and not problems[0].helpers
    pairs.append(
        (problems[2], Sample(problems[2].task_id, 1, solution="def decode(s):\n    return s[::-1]\n"))
    )
    got = run_samples(pairs)
    assert len(got) == 5 and {r.status for r in got.values()} == {Status.PASSED}
