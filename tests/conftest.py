"""Shared fixtures: fixture files, the real toolchain and sandbox, and a helper to execute code."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from rustcoder.benchmarks.formats import load_problems
from rustcoder.execute.assemble import assemble
from rustcoder.execute.engine import ExecConfig, Executor
from rustcoder.execute.sandbox import Limits
from rustcoder.types import ExecResult, Problem, Sample

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def fixture_problems(name: str) -> list[Problem]:
    return load_problems(FIXTURES / name)[1]


CLI = [sys.executable, "-m", "rustcoder"]


def rustcoder_cli(
    *args: str, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`rustcoder ARGS` as a user runs it: a real process, its output captured; `env` adds variables."""
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env} if env else None,
    )


@pytest.fixture(scope="session")
def executor() -> Executor:
    """One executor (real toolchain, real sandbox) for the session, with short limits."""
    return Executor(ExecConfig(jobs=2, batch_size=8, limits=Limits(wall_seconds=3.0, memory_bytes=512 << 20)))


Run = Callable[..., dict[str, ExecResult]]


@pytest.fixture(scope="session")
def run_samples(executor: Executor) -> Run:
    """Execute (problem, sample) pairs; returns results keyed by `task_id/index`."""

    def run(pairs: list[tuple[Problem, Sample]], engine: Executor | None = None) -> dict[str, ExecResult]:
        programs = [assemble(p, s, f"{s.task_id}/{s.index}") for p, s in pairs]
        results: dict[str, ExecResult] = {}
        (engine or executor).execute(programs, lambda key, result: results.__setitem__(key, result))
        assert len(results) == len(programs)
        return results

    return run
