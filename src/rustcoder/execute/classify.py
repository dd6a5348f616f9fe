"""Turn what the sandbox saw of one sample's run into a status and a one-line reason."""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rustcoder.types import ExecResult, Status


@dataclass(frozen=True, slots=True)
class Failure:
    test: str
    kind: str
    """panic (Rust panic or Python exception), error (test returned Err), no_panic (should_panic)."""
    location: str
    message: str


@dataclass(slots=True)
class Report:
    """The nonce-checked lines a sample's runner wrote."""

    started: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    compile_error: tuple[str, str] | None = None
    done: bool = False

    @property
    def unfinished(self) -> str | None:
        """The test that started but never reported, if any."""
        finished = set(self.passed) | {f.test for f in self.failures}
        pending = [name for name in self.started if name not in finished]
        return pending[-1] if pending else None


def _unhex(text: str) -> str:
    try:
        return bytes.fromhex(text).decode("utf-8", errors="replace")
    except ValueError:
        return text


def parse_report(lines: list[str]) -> Report:
    report = Report()
    for line in lines:
        parts = line.split(" ")
        match parts:
            case ["start", name]:
                report.started.append(name)
            case ["pass", name, _]:
                report.passed.append(name)
            case ["fail", name, _, kind, location, message]:
                report.failures.append(Failure(name, kind, location, _unhex(message)))
            case ["compile", kind, message]:
                report.compile_error = (kind, _unhex(message))
            case ["done"]:
                report.done = True
    return report


def one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _crash_reason(record: dict[str, Any], test: str | None) -> tuple[Status, str]:
    where = f" during {test}" if test else ""
    stderr = str(record.get("stderr", ""))
    number = record.get("signal")
    if number == signal.SIGXCPU:
        return Status.TIMEOUT, f"CPU time limit exceeded{where}"
    if number == signal.SIGXFSZ:
        return Status.PANIC, f"file size limit exceeded{where}"
    if "memory allocation of" in stderr or "MemoryError" in stderr:
        return Status.PANIC, f"out of memory (limit reached){where}"
    if "has overflowed its stack" in stderr:
        return Status.PANIC, f"stack overflow{where}"
    if number:
        return Status.PANIC, f"killed by {_signal_name(number)}{where}"
    return Status.PANIC, f"the process exited with code {record.get('exit')}{where} before its tests finished"


def classify(
    record: dict[str, Any],
    *,
    tests_total: int,
    is_test_location: Callable[[str], bool],
    timeout: float,
    output_cap: int,
) -> ExecResult:
    """Status of one sample's test process. Only a complete, nonce-checked report can pass."""
    result = ExecResult(
        Status.SANDBOX_ERROR,
        tests_total=tests_total,
        stdout=str(record.get("stdout", "")),
        stderr=str(record.get("stderr", "")),
        run_seconds=float(record.get("wall", 0.0)),
    )
    if "driver_error" in record or "spawn_error" in record:
        result.reason = one_line(
            "sandbox failed: " + str(record.get("driver_error") or record.get("spawn_error"))
        )
        return result
    report = parse_report(list(record.get("report", [])))
    result.tests_passed = len(report.passed)
    result.passed_tests = tuple(report.passed)
    result.failed_tests = {f.test: f"{f.kind}: {f.message}" for f in report.failures}
    if report.compile_error is not None:
        kind, message = report.compile_error
        result.status, result.reason, result.error_codes = Status.COMPILE_ERROR, one_line(message), [kind]
    elif report.failures:
        first = report.failures[0]
        assertion = first.message.startswith(("assertion", "AssertionError"))
        test_side = first.kind != "panic" or (assertion and is_test_location(first.location))
        result.status = Status.TEST_FAILURE if test_side else Status.PANIC
        result.reason = one_line(
            f"{first.test}: {first.message}" + (f" at {first.location}" if first.location != "?" else "")
        )
    elif record.get("timed_out"):
        where = f" in {report.unfinished}" if report.unfinished else ""
        result.status, result.reason = Status.TIMEOUT, f"no result after {timeout:g} s{where}"
    elif record.get("output_exceeded"):
        result.status, result.reason = (
            Status.PANIC,
            f"killed after writing more than {output_cap} bytes of output",
        )
    elif report.done and tests_total == 0:
        result.status, result.reason = Status.NO_TESTS, "the benchmark defines no tests for this task"
    elif report.done and len(report.passed) == tests_total:
        result.status = Status.PASSED
    elif report.done:
        result.status, result.reason = Status.NO_TESTS, f"{len(report.passed)} of {tests_total} tests ran"
    else:
        result.status, result.reason = _crash_reason(record, report.unfinished)
    return result
