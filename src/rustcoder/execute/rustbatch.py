"""Compile many Rust samples as modules of one crate, then run each sample in its own process.

rustc's fixed cost per invocation dominates small programs, so a batch shares it. A sample's result must
not depend on its batch-mates: a batch that fails to compile is split (samples the errors point at are
compiled alone, the rest again together; errors that point nowhere split it in halves), so every
compile error a sample is charged with comes from compiling it alone; and every sample's tests run in
a fresh process, so a crash, hang or exit affects only that sample.

Each member's code lives in files of its own (`sN/solution.rs`, with `imports.rs` and `tests.rs`
beside it) that the batch crate `include!`s into `mod sN`, so rustc's diagnostics and panic locations
name the sample's own file and lines. What a user (and the repair loop) is shown says `solution.rs:3:9`
for line 3 of the code the model wrote, never the batch file's scaffolding.
"""

from __future__ import annotations

import dataclasses
import functools
import shutil
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from rustcoder.execute.classify import classify, one_line
from rustcoder.execute.diagnostics import Diagnostic, error_codes, parse_diagnostics
from rustcoder.execute.outcome import BatchOutcome
from rustcoder.execute.sandbox import COMPILE_LIMITS, Limits, Sandbox
from rustcoder.execute.testfns import PreparedTests, prepare_tests
from rustcoder.execute.toolchain import Toolchain
from rustcoder.types import ExecResult, Program, Status

SOURCE = "batch.rs"
BINARY = "batch"
KEEP_COMPILE_OUTPUT = 8000


@cache
def runner_source() -> str:
    return resources.files("rustcoder.execute").joinpath("runner.rs").read_text(encoding="utf-8")


@dataclass(slots=True)
class Member:
    """A program in a batch, with its prepared tests and its share of compile time so far."""

    program: Program
    prepared: PreparedTests
    compile_seconds: float = 0.0
    folder: str = ""
    """The member's folder in the batch's work directory (`s3/`)."""
    lines: tuple[int, int] = (0, 0)
    """The lines of batch.rs that hold the member's module."""

    @property
    def key(self) -> str:
        return self.program.key


def make_member(program: Program) -> Member:
    return Member(program, prepare_tests(program.tests, program.test_style))


def _registry(member: Member) -> str:
    lines = []
    entries = []
    for number, test in enumerate(member.prepared.tests):
        lines.append(
            f"pub(crate) fn __rc_t{number}() -> ::std::result::Result<(), ::std::string::String> "
            f"{{ crate::__rc::Outcome::outcome(self::{test.path}()) }}"
        )
        entries.append(f'("{test.path}", __rc_t{number}, {"true" if test.should_panic else "false"})')
    lines.append(f"pub(crate) static __RC_TESTS: crate::__rc::Suite = &[{', '.join(entries)}];")
    return "\n".join(lines)


IMPORTS, SOLUTION, TESTS = "imports.rs", "solution.rs", "tests.rs"


def render(members: list[Member]) -> dict[str, str]:
    """The batch's files by relative path: batch.rs and each member's folder. Records each member's
    folder and the lines of batch.rs its module takes on the member."""
    files: dict[str, str] = {}
    parts: list[str] = []
    line = 1
    for index, member in enumerate(members):
        folder = member.folder = f"s{index}/"
        files[folder + IMPORTS] = member.program.header + "\n"
        files[folder + SOLUTION] = member.program.code + "\n"
        files[folder + TESTS] = member.prepared.source + "\n"
        text = (
            f"mod s{index} {{\n"
            + "".join(f'include!("{folder}{name}");\n' for name in (IMPORTS, SOLUTION, TESTS))
            + _registry(member)
            + "\n}\n"
        )
        parts.append(text)
        member.lines = (line, line + text.count("\n") - 1)
        line += text.count("\n")
    parts.append("\nmod __rc {\n" + runner_source() + "\n}\n")
    suites = ", ".join(f'("s{i}", s{i}::__RC_TESTS)' for i in range(len(members)))
    parts.append(f"fn main() {{ __rc::main(&[{suites}]); }}\n")
    files[SOURCE] = "".join(parts)
    return files


def _attribute(errors: list[Diagnostic], members: list[Member], root: str) -> list[Member]:
    """Members the errors point into (primary spans first, else secondary ones); `root` is the work
    directory as rustc names it, ending in `/`."""

    def owner(file: str, line: int) -> int | None:
        for index, member in enumerate(members):
            if file.startswith(root + member.folder) or (
                file == root + SOURCE and member.lines[0] <= line <= member.lines[1]
            ):
                return index
        return None

    hit: set[int] = set()
    for error in errors:
        for places in (error.primary, error.other):
            found = {i for i in (owner(*place) for place in places) if i is not None}
            if found:
                hit |= found
                break
    return [members[i] for i in sorted(hit)]


def _own(text: str, prefix: str) -> str:
    """Text a member's compile or run wrote, with its folder's path (`/sandbox/s3/`) taken off the file
    names, so that it reads `solution.rs:4:5`."""
    return text.replace(prefix, "")


class RustBatchRunner:
    """Compiles and runs batches of Rust programs in the sandbox."""

    def __init__(self, toolchain: Toolchain, sandbox: Sandbox, limits: Limits, workroot: Path | None) -> None:
        self.toolchain = toolchain
        self.sandbox = sandbox
        self.limits = limits
        self.workroot = workroot

    def _compile(self, workdir: Path, size: int) -> tuple[dict[str, object], float]:
        argv = [
            str(self.toolchain.rustc),
            *self.toolchain.compile_args(),
            "--cfg",
            "test",
            "-A",
            "warnings",
            "--error-format=json",
            "--crate-type",
            "bin",
            "--crate-name",
            BINARY,
            "-o",
            self.sandbox.inside_path(workdir, BINARY),
            self.sandbox.inside_path(workdir, SOURCE),
        ]
        limits = dataclasses.replace(COMPILE_LIMITS, wall_seconds=60.0 + 2.0 * size)
        started = time.monotonic()
        record = self.sandbox.exec(argv, workdir=workdir, limits=limits, keep=COMPILE_LIMITS.output_bytes)
        return record, time.monotonic() - started

    def process(self, members: list[Member]) -> BatchOutcome[Member]:
        workdir = Path(tempfile.mkdtemp(prefix="rustcoder-", dir=self.workroot))
        try:
            return self._process(members, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def _process(self, members: list[Member], workdir: Path) -> BatchOutcome[Member]:
        for name, text in render(members).items():
            (workdir / name).parent.mkdir(exist_ok=True)
            (workdir / name).write_text(text, encoding="utf-8")
        record, seconds = self._compile(workdir, len(members))
        for member in members:
            member.compile_seconds += seconds / len(members)
        if record.get("exit") == 0 and (workdir / BINARY).exists():
            return BatchOutcome(results=self._run(members, workdir))
        errors, other = parse_diagnostics(str(record.get("stderr", "")))
        root = self.sandbox.inside_path(workdir, SOURCE).removesuffix(SOURCE)
        if len(members) == 1:
            failure = self._compile_failure(members[0], record, errors, other, root + members[0].folder)
            return BatchOutcome(results={members[0].key: failure})
        if record.get("timed_out"):
            # One sample makes rustc run away: compiling each alone costs one timeout, not log2(n).
            return BatchOutcome(retry=[[m] for m in members])
        if not errors:
            half = len(members) // 2
            return BatchOutcome(retry=[members[:half], members[half:]])
        culprits = _attribute(errors, members, root)
        if not culprits:
            half = len(members) // 2
            return BatchOutcome(retry=[members[:half], members[half:]])
        # The rest is compiled again, which re-checks any error that pointed at no member.
        rest = [m for m in members if m not in culprits]
        return BatchOutcome(retry=[[m] for m in culprits] + ([rest] if rest else []))

    def _compile_failure(
        self,
        member: Member,
        record: dict[str, object],
        errors: list[Diagnostic],
        other: list[str],
        prefix: str,
    ) -> ExecResult:
        if record.get("timed_out"):
            status, reason = Status.TIMEOUT, "compilation did not finish in time"
        elif errors:
            status, reason = Status.COMPILE_ERROR, one_line(errors[0].label)
        else:
            detail = " ".join(other[-3:]) or f"exit {record.get('exit')}, signal {record.get('signal')}"
            status, reason = Status.SANDBOX_ERROR, one_line("rustc failed without diagnostics: " + detail)
        rendered = _own("\n".join(e.rendered for e in errors) or "\n".join(other), prefix)
        return ExecResult(
            status,
            reason=_own(reason, prefix),
            error_codes=error_codes(errors),
            tests_total=len(member.prepared.tests),
            compile_output=rendered[:KEEP_COMPILE_OUTPUT],
            compile_seconds=member.compile_seconds,
        )

    def _run(self, members: list[Member], workdir: Path) -> dict[str, ExecResult]:
        binary = self.sandbox.inside_path(workdir, BINARY)
        root = self.sandbox.inside_path(workdir, SOURCE).removesuffix(SOURCE)
        runnable = {f"s{i}": m for i, m in enumerate(members) if m.prepared.tests}
        samples = [
            {"id": module, "argv": [binary, "--rc-run", module], "timeout": self.limits.wall_seconds}
            for module in runnable
        ]
        records = self.sandbox.suite(samples, workdir=workdir, limits=self.limits) if samples else {}
        results: dict[str, ExecResult] = {}
        for index, member in enumerate(members):
            module = f"s{index}"
            if module not in runnable:
                result = ExecResult(Status.NO_TESTS, reason="the benchmark defines no tests for this task")
            else:
                prefix = root + member.folder
                result = classify(
                    records[module],
                    tests_total=len(member.prepared.tests),
                    is_test_location=functools.partial(_in_file, prefix + TESTS),
                    timeout=self.limits.wall_seconds,
                    output_cap=self.limits.output_bytes,
                )
                result.reason = _own(result.reason, prefix)
                result.stdout, result.stderr = _own(result.stdout, prefix), _own(result.stderr, prefix)
            result.compile_seconds = member.compile_seconds
            result.batch_size = len(members)
            results[member.key] = result
        return results


def _in_file(path: str, location: str) -> bool:
    """Whether a `file:line:column` panic location lies in the file `path`."""
    parts = location.rsplit(":", 2)
    return len(parts) == 3 and parts[0] == path
