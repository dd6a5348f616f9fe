"""Python samples (`humaneval-python`): each runs `check(candidate)` in its own sandboxed process."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from rustcoder.execute.classify import classify
from rustcoder.execute.outcome import BatchOutcome
from rustcoder.execute.sandbox import Limits, Sandbox
from rustcoder.types import Program


class PythonRunner:
    """Runs batches of Python programs; a batch shares one sandbox start-up, never a process."""

    def __init__(self, sandbox: Sandbox, limits: Limits, workroot: Path | None) -> None:
        self.sandbox = sandbox
        self.limits = limits
        self.workroot = workroot

    def process(self, programs: list[Program]) -> BatchOutcome[Program]:
        workdir = Path(tempfile.mkdtemp(prefix="rustcoder-py-", dir=self.workroot))
        try:
            samples = []
            for index, program in enumerate(programs):
                (workdir / f"solution{index}.py").write_text(program.header + program.code, encoding="utf-8")
                (workdir / f"tests{index}.py").write_text(program.tests, encoding="utf-8")
                argv = [
                    self.sandbox.python,
                    "-I",
                    "-S",
                    self.sandbox.tool_path("_pyrunner.py"),
                    self.sandbox.inside_path(workdir, f"solution{index}.py"),
                    self.sandbox.inside_path(workdir, f"tests{index}.py"),
                    program.entry_point,
                ]
                samples.append({"id": str(index), "argv": argv, "timeout": self.limits.wall_seconds})
            records = self.sandbox.suite(samples, workdir=workdir, limits=self.limits)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        outcome: BatchOutcome[Program] = BatchOutcome()
        for index, program in enumerate(programs):
            result = classify(
                records[str(index)],
                tests_total=1,
                is_test_location=lambda location: location.startswith("tests.py:"),
                timeout=self.limits.wall_seconds,
                output_cap=self.limits.output_bytes,
            )
            result.batch_size = len(programs)
            outcome.results[program.key] = result
        return outcome
