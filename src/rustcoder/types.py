"""The records that pipeline stages hand each other: problems, samples, programs and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

RUST_BEGIN, RUST_END = "RUST_BEGIN", "RUST_END"
"""The delimiters the delimited strategies ask a model to put around its code (the seed study's)."""


class FimLayout(StrEnum):
    """How a fill-in-the-middle prompt is laid out (backends.fim)."""

    PSM = "psm"
    """Prefix, suffix, middle: the layout FIM models are trained on."""
    SPM = "spm"
    """Suffix, prefix, middle: the prefix, where one types, comes last (better for cache reuse)."""


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
    NOT_EXECUTED = "not_executed"
    """A text-scored fill-in-the-middle task (its file needs its crate to build): scored by exact match,
    edit similarity and parsing only, and left out of pass@k."""


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
    suffix: str = ""
    """For fill-in-the-middle tasks: the code after the gap, which follows a completion exactly."""
    fill_in_the_middle: bool = False
    """A FIM task: samples are also scored against `canonical_solution`, the reference middle."""
    executable: bool = True
    """False for a text-scored FIM task (a gap in a file that needs its crate): never compiled."""
    labels: dict[str, str] = field(default_factory=dict)
    """Fields the task's file carries beyond its format's (a FIM task's path, kind, crate ...): kept,
    and written into every result of the task."""
    canonical_solution: str | None = None
    """A reference completion of `prompt`, when the benchmark has one."""
    example_tests: str | None = None
    """Public examples that may be shown to a model (never the hidden tests): `#[test]` functions, run
    as libtest runs them whatever the hidden tests' style (HumanEvalPack's `example_test`; MultiPL-E's
    doc-comment examples, `rustcoder.benchmarks.examples`)."""
    examples_checked: bool = False
    """`example_tests` keeps only the examples that compile against the signature and that the reference
    solution, where there is one, passes (as `rustcoder.evaluation.checks.with_usable_examples` leaves
    them), so they need no second check."""
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
    passed_tests: tuple[str, ...] = ()
    """The tests that passed, by path (`tests::test_sum`), in the order they ran."""
    failed_tests: dict[str, str] = field(default_factory=dict)
    """Each failed test's path -> its kind (panic, error, no_panic) and message: `error: "7"` for a
    test that returned `Err("7")`. Neither is written to results files (selection reads them)."""

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED


@dataclass(frozen=True, slots=True)
class FimScores:
    """A fill-in-the-middle sample against its reference middle (evaluation.fim_scores)."""

    exact_match: bool
    edit_similarity: float
    parses: bool


_FIM_FIELDS = ("exact_match", "edit_similarity", "parses")
_RESULT_FIELDS = (
    "task_id",
    "sample_index",
    "sample_sha",
    "status",
    "passed",
    "reason",
    "error_codes",
    "tests_total",
    "tests_passed",
    "compile_seconds",
    "run_seconds",
    "batch_size",
)
_RESULT_OUTPUTS = ("stdout", "stderr", "compile_output")


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """One line of a results file: a sample's execution result with the sample's own figures.

    Written by `to_json` and read by `from_json` only. The line is flat, as rustcoder 0.1 wrote it: the
    sample's generation figures (`meta`) sit beside the result's fields.
    """

    task_id: str
    sample_index: int
    sample_sha: str
    status: Status
    reason: str = ""
    error_codes: tuple[str, ...] = ()
    tests_total: int = 0
    tests_passed: int = 0
    compile_seconds: float = 0.0
    run_seconds: float = 0.0
    batch_size: int = 1
    meta: dict[str, float | int | str] = field(default_factory=dict)
    """The sample's generation figures: attempts, gen_seconds, ttft_seconds, tokens, rounds ..."""
    stdout: str = ""
    stderr: str = ""
    compile_output: str = ""
    fim: FimScores | None = None
    """For a fill-in-the-middle task: how the middle compares with the reference."""
    labels: dict[str, str] = field(default_factory=dict)
    """The task's labels (`Problem.labels`)."""
    line: int = 0
    """Where it was read from (0 when made in code)."""

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    @property
    def key(self) -> tuple[str, int]:
        return (self.task_id, self.sample_index)

    def figure(self, name: str) -> float | None:
        """A numeric generation figure of the sample, if it has one."""
        value = self.meta.get(name)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    def to_json(self) -> dict[str, object]:
        head: dict[str, object] = {
            "task_id": self.task_id,
            "sample_index": self.sample_index,
            "sample_sha": self.sample_sha,
            "status": self.status.value,
            "passed": self.passed,
            "reason": self.reason,
            "error_codes": list(self.error_codes),
            "tests_total": self.tests_total,
            "tests_passed": self.tests_passed,
            "compile_seconds": round(self.compile_seconds, 4),
            "run_seconds": round(self.run_seconds, 4),
            "batch_size": self.batch_size,
        }
        fim = {} if self.fim is None else {k: getattr(self.fim, k) for k in _FIM_FIELDS}
        outputs = {"stdout": self.stdout, "stderr": self.stderr, "compile_output": self.compile_output}
        labels = {"labels": self.labels} if self.labels else {}
        return {**head, **fim, **labels, **self.meta, **outputs}

    @classmethod
    def from_json(cls, row: dict[str, object], line: int = 0) -> ResultRecord:
        """KeyError, ValueError or TypeError when the row is not a result record."""
        meta = {
            k: v
            for k, v in row.items()
            if k not in (*_RESULT_FIELDS, *_RESULT_OUTPUTS, *_FIM_FIELDS, "labels")
            and isinstance(v, int | float | str)
        }
        codes = row.get("error_codes") or []
        if not isinstance(codes, list):
            raise TypeError(f"error_codes must be a list, got {codes!r}")
        labels = row.get("labels") or {}
        if not isinstance(labels, dict):
            raise TypeError(f"labels must be an object, got {labels!r}")
        fim = None
        if all(k in row for k in _FIM_FIELDS):
            similarity = float(row["edit_similarity"])  # type: ignore[arg-type]
            fim = FimScores(bool(row["exact_match"]), similarity, bool(row["parses"]))
        return cls(
            task_id=str(row["task_id"]),
            sample_index=int(row["sample_index"]),  # type: ignore[call-overload]
            sample_sha=str(row.get("sample_sha", "")),
            status=Status(str(row["status"])),
            reason=str(row.get("reason", "")),
            error_codes=tuple(str(c) for c in codes),
            tests_total=int(row.get("tests_total", 0)),  # type: ignore[call-overload]
            tests_passed=int(row.get("tests_passed", 0)),  # type: ignore[call-overload]
            compile_seconds=float(row.get("compile_seconds", 0.0)),  # type: ignore[arg-type]
            run_seconds=float(row.get("run_seconds", 0.0)),  # type: ignore[arg-type]
            batch_size=int(row.get("batch_size", 1)),  # type: ignore[call-overload]
            meta=meta,
            stdout=str(row.get("stdout", "")),
            stderr=str(row.get("stderr", "")),
            compile_output=str(row.get("compile_output", "")),
            fim=fim,
            labels={str(k): str(v) for k, v in labels.items()},
            line=line,
        )
