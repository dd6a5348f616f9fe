"""Shared fixtures: fixture files, the real toolchain and sandbox, and a helper to execute code."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from rustcoder.benchmarks.formats import load_problems
from rustcoder.execute.assemble import assemble
from rustcoder.execute.engine import ExecConfig, Executor
from rustcoder.execute.sandbox import Limits
from rustcoder.types import ExecResult, Problem, Sample

FIXTURES = Path(__file__).parent / "fixtures"
SUM_OK = "fn sum_all(xs: Vec<i64>) -> i64 {\n    xs.iter().sum()\n}\n"
"""A correct solution of the fixtures' first problem (Mini/0)."""


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def fixture_problems(name: str) -> list[Problem]:
    return load_problems(FIXTURES / name)[1]


CLI = [sys.executable, "-m", "rustcoder"]


def sandbox_processes() -> list[int]:
    """Processes still running in a sandbox: under a sandbox uid (as root, samples run as
    DEFAULT_UID_BASE + slot), or, for any user, carrying the sandbox's environment marker."""
    from rustcoder.execute.sandbox import DEFAULT_UID_BASE

    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            uid = entry.stat().st_uid
            marked = b"RUSTCODER_SANDBOXED=1" in (entry / "environ").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            marked, uid = False, -1
        if DEFAULT_UID_BASE <= uid < DEFAULT_UID_BASE + 64 or marked:
            found.append(int(entry.name))
    return found


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, poll: float = 0.02) -> bool:
    """Whether `condition` came true within `timeout` seconds (checked every `poll` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True


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
