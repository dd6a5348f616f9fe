"""The records that pipeline stages hand each other: problems, samples, programs and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

RUST_BEGIN, RUST_END = "RUST_BEGIN", "RUST_END"
"""The delimiters the delimited strategies ask a model to put around its code (the seed study's)."""


class Language(StrEnum):
    """Language a benchmark is written in."""

    RUST = "rust"
    PYTHON = "python"


class TestStyle(StrEnum):
    """How a benchmark's tests are written, which decides how they are run."""

    __test__ = False  # not a pytest test class

    LIBTEST = "libtest"
    """`#[test]` functions (HumanEval-X, HumanEvalPack)."""
    MAIN = "main"
    """A `fn main()` of assertions (MultiPL-E)."""
    PYTHON_CHECK = "python-check"
    """A `check(candidate)` function (OpenAI HumanEval)."""


class Status(StrEnum):
    """Outcome of executing one sample. Only PASSED counts as correct."""

    PASSED = "passed"
    COMPILE_ERROR = "compile_error"
    TEST_FAILURE = "test_failure"
    PANIC = "panic"
    TIMEOUT = "timeout"
    NO_TESTS = "no_tests"
    SANDBOX_ERROR = "sandbox_error"
    BACKEND_ERROR = "backend_error"
    """The model backend failed to generate the sample (after its retries); generated again on resume."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One benchmark task, normalised from whichever source format it came in."""

    task_id: str
    language: Language
    prompt: str
    """Text a `completion` continues: doc comment and signature, ending inside the function."""
    header: str
    """Imports placed before the code of every sample ("" when the benchmark has none)."""
    signature: str
    docstring: str
    instruction: str
    entry_point: str
    tests: str
    """Hidden test code, standalone: it never closes the prompt's function."""
    test_style: TestStyle
    completion_closer: str = ""
    """Appended after a completion before the tests (MultiPL-E completions stop before the final `}`)."""
    canonical_solution: str | None = None
    """A reference completion of `prompt`, when the benchmark has one."""
    example_tests: str | None = None
    """Public examples that may be shown to a model (never the hidden tests)."""
    helpers: str = ""
    """Definitions the prompt gives before the entry function, which the tests may call (Python
    HumanEval/38's `encode_cyclic`): placed before a whole-solution sample; a completion already
    continues a prompt that contains them."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One model output for one task: a `completion` of the prompt or a whole `solution`."""

    task_id: str
    index: int
    completion: str | None = None
    solution: str | None = None
    meta: dict[str, float | int | str] = field(default_factory=dict)
    """Optional generation figures carried into results: attempts, gen_seconds, ttft_seconds ..."""
    line: int = 0
    """Line of the samples file it came from (0 when built in code)."""

    @property
    def key(self) -> tuple[str, int]:
        return (self.task_id, self.index)


@dataclass(frozen=True, slots=True)
class Program:
    """A sample assembled into source code: header, the model's code and the hidden tests."""

    key: str
    language: Language
    test_style: TestStyle
    header: str
    code: str
    tests: str
    entry_point: str = ""
    problem_tests_id: str = ""
    """Identifies the test code (the task id) so test discovery can be cached per task."""
    reject_reason: str = ""
    """Set when the program must not be compiled at all (oversized, not valid UTF-8)."""


@dataclass(slots=True)
class ExecResult:
    """What happened when one program was compiled and its tests were run."""

    status: Status
    reason: str = ""
    """One line saying why, e.g. the first compiler error or the panic message."""
    error_codes: list[str] = field(default_factory=list)
    tests_total: int = 0
    tests_passed: int = 0
    stdout: str = ""
    stderr: str = ""
    compile_output: str = ""
    compile_seconds: float = 0.0
    run_seconds: float = 0.0
    batch_size: int = 1

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED
