"""Execute many programs in the sandbox, `jobs` batches at a time, reporting each result as it lands."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rustcoder.execute.classify import one_line
from rustcoder.execute.outcome import BatchOutcome
from rustcoder.execute.sandbox import Limits, Sandbox
from rustcoder.execute.workdirs import new_run_root
from rustcoder.types import ExecResult, Language, Program, Status

if TYPE_CHECKING:
    from rustcoder.execute.toolchain import Toolchain

log = logging.getLogger(__name__)

OnResult = Callable[[str, ExecResult], None]
Task = tuple[Callable[[list[Any]], BatchOutcome[Any]], list[Any]]
"""A runner's `process` and the batch to give it."""


DEFAULT_BATCH_SIZE = 96
PYTHON_BATCH_SIZE = 32


@dataclass(frozen=True, slots=True)
class ExecConfig:
    """How to execute: parallelism, batch size and per-sample limits."""

    jobs: int = 0
    """Concurrent batches (0: one per CPU core)."""
    batch_size: int = DEFAULT_BATCH_SIZE
    """At most this many Rust samples are compiled together in one crate."""
    limits: Limits = field(default_factory=Limits)
    workroot: Path | None = None
    """Where each run's scratch directory goes (default: the system temp directory)."""
    ray_address: str | None = None
    """Execute on this Ray cluster (`auto`: the one `ray start` made here or RAY_ADDRESS names; a
    `ray://` client address) instead of this machine: each batch on a worker, in the worker's own
    sandbox (`execute.distributed.executor_for` makes the executor). None: here."""

    def __post_init__(self) -> None:
        if self.jobs < 0:
            raise ValueError(f"jobs must be >= 0, got {self.jobs}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")

    @property
    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1


def balanced_chunks(items: Sequence[Any], cap: int, workers: int) -> list[list[Any]]:
    """Consecutive chunks of at most `cap` items, of near-equal size, as few as possible, their number a
    multiple of `workers` (where there are items enough) so that every round keeps every worker busy:
    164 items, cap 48, 2 workers give 4 × 41, not 48 + 48 + 48 + 20."""
    if not items:
        return []
    count = -(-len(items) // cap)
    count = min(len(items), -(-count // workers) * workers)
    size, extra = divmod(len(items), count)
    chunks, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        chunks.append(list(items[start:end]))
        start = end
    return chunks


def compilable(programs: Sequence[Program], on_result: OnResult) -> list[Program]:
    """The programs to compile; each rejected one (oversized, not UTF-8) is reported as a compile error."""
    for program in programs:
        if program.reject_reason:
            on_result(program.key, ExecResult(Status.COMPILE_ERROR, reason=program.reject_reason))
    return [p for p in programs if not p.reject_reason]


class ProgramExecutor(Protocol):
    """What executes programs: `Executor` here, `RayExecutor` on a cluster (execute.distributed)."""

    def execute(self, programs: Sequence[Program], on_result: OnResult) -> None: ...

    def environment(self, languages: set[Language]) -> dict[str, object]: ...


class Executor:
    """Compiles and runs programs of any supported language; one sandbox, many workers (on this
    machine: `config.ray_address` is for `execute.distributed.executor_for`)."""

    def __init__(self, config: ExecConfig | None = None) -> None:
        self.config = config or ExecConfig()
        self._sandbox: Sandbox | None = None
        self._toolchain: Toolchain | None = None

    def environment(self, languages: set[Language]) -> dict[str, object]:
        """What a run records about the execution environment."""
        info: dict[str, object] = {"sandbox": self._sandbox.kind.value if self._sandbox else None}
        if Language.RUST in languages and self._toolchain is not None:
            info.update(self._toolchain.describe())
        return info

    def _setup(self, languages: set[Language]) -> Sandbox:
        read_only: list[Path] = []
        if Language.RUST in languages:
            from rustcoder.execute.toolchain import load_toolchain

            self._toolchain = load_toolchain()
            read_only += [self._toolchain.sysroot, self._toolchain.crates_dir]
        needs = set(map(str, read_only))
        if self._sandbox is None or self._sandbox.stopped or not needs <= set(self._sandbox.read_only):
            self._sandbox = Sandbox(read_only, slots=self.config.workers)
        return self._sandbox

    def execute(self, programs: Sequence[Program], on_result: OnResult) -> None:
        """Execute every program; `on_result(key, result)` is called once per program, in this thread."""
        pending = compilable(programs, on_result)
        if not pending:
            return
        languages = {p.language for p in pending}
        sandbox = self._setup(languages)
        root = new_run_root(self.config.workroot)
        try:
            self._drain(self._tasks(pending, sandbox, root), on_result)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def _tasks(self, pending: list[Program], sandbox: Sandbox, root: Path) -> list[Task]:
        """Batches for each language's runner, sized so every worker gets work."""
        tasks: list[Task] = []
        rust = [p for p in pending if p.language is Language.RUST]
        python = [p for p in pending if p.language is Language.PYTHON]
        if rust:
            from rustcoder.execute.rustbatch import RustBatchRunner, make_member

            assert self._toolchain is not None
            runner = RustBatchRunner(self._toolchain, sandbox, self.config.limits, root)
            members = [make_member(p) for p in rust]
            chunks = balanced_chunks(members, self.config.batch_size, self.config.workers)
            tasks += [(runner.process, chunk) for chunk in chunks]
        if python:
            from rustcoder.execute.python import PythonRunner

            py_runner = PythonRunner(sandbox, self.config.limits, root)
            chunks = balanced_chunks(python, PYTHON_BATCH_SIZE, self.config.workers)
            tasks += [(py_runner.process, chunk) for chunk in chunks]
        return tasks

    def _drain(self, tasks: list[Task], on_result: OnResult) -> None:
        pool = ThreadPoolExecutor(self.config.workers, thread_name_prefix="rustcoder-exec")
        running: dict[Future[BatchOutcome[Any]], tuple[Callable[..., Any], list[Any]]] = {
            pool.submit(fn, batch): (fn, batch) for fn, batch in tasks
        }
        try:
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    fn, batch = running.pop(future)
                    try:
                        outcome = future.result()
                    except Exception as exc:  # a harness bug must not lose the other results
                        log.exception("batch of %d failed", len(batch))
                        reason = one_line(f"harness error: {type(exc).__name__}: {exc}")
                        for item in batch:
                            on_result(
                                getattr(item, "key", ""), ExecResult(Status.SANDBOX_ERROR, reason=reason)
                            )
                        continue
                    for key, result in outcome.results.items():
                        on_result(key, result)
                    for sub in outcome.retry:
                        running[pool.submit(fn, sub)] = (fn, sub)
        except BaseException:
            # Ctrl-C or a failure to record a result: stop now, keep what was recorded, skip the rest.
            pool.shutdown(wait=False, cancel_futures=True)
            if self._sandbox is not None:
                self._sandbox.stop_all()
            raise
        pool.shutdown()
