"""Execution on a Ray cluster (`--executor ray`), for when one machine is not enough.

Programs are cut into the same batches as on one machine; each batch is a Ray task that runs on a
worker with one CPU, in that worker's own sandbox, through the same `Executor` (so the results are the
ones local execution gives). `executor_for(config)` makes the executor for every stage that honours
`--executor`. Workers need what this machine needs: rustcoder installed, rustc, the crate sources and
the sandbox tools. Ray is imported only here.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

from rustcoder.errors import RustcoderError
from rustcoder.execute.classify import one_line
from rustcoder.execute.engine import (
    DEFAULT_BATCH_SIZE,
    ExecConfig,
    Executor,
    OnResult,
    ProgramExecutor,
    balanced_chunks,
    compilable,
)
from rustcoder.types import ExecResult, Language, Program, Status

log = logging.getLogger(__name__)


def _run_batch(config: ExecConfig, programs: list[Program]) -> tuple[dict[str, object], list[Any]]:
    """On a worker: the batch's results (key, result) and the worker's execution environment."""
    import platform

    executor = Executor(config)
    results: list[tuple[str, ExecResult]] = []
    executor.execute(programs, lambda key, result: results.append((key, result)))
    environment = executor.environment({p.language for p in programs})
    return {**environment, "executor": "ray", "worker": platform.node()}, results


def _reachable(address: str) -> None:
    """Fail at once, not after Ray's minute of retries, when a HOST:PORT address refuses connections."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # `auto` and the like: Ray resolves them
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        raise RustcoderError(f"cannot reach the Ray cluster at {address!r}: {exc}") from None


def _connect(address: str) -> Any:
    try:
        import ray
    except ImportError:
        raise RustcoderError(
            "--executor ray needs Ray: pip install 'rustcoder[distributed]' (ray==2.52.1)"
        ) from None
    if not ray.is_initialized():
        _reachable(address)
        try:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise RustcoderError(f"cannot reach the Ray cluster at {address!r}: {exc}") from None
    return ray


def executor_for(config: ExecConfig | None) -> ProgramExecutor:
    """The executor `config` asks for: on its Ray cluster, or here."""
    config = config or ExecConfig()
    return RayExecutor(config) if config.ray_address is not None else Executor(config)


class RayExecutor:
    """Executes programs on a Ray cluster, `Executor`'s batches as Ray tasks."""

    def __init__(self, config: ExecConfig) -> None:
        if config.ray_address is None:
            raise ValueError("RayExecutor needs config.ray_address")
        self.config = config
        self._environment: dict[str, object] = {"executor": "ray"}

    def environment(self, languages: set[Language]) -> dict[str, object]:
        """A worker's execution environment, as the last batch reported it."""
        return self._environment

    def execute(self, programs: Sequence[Program], on_result: OnResult) -> None:
        pending = compilable(programs, on_result)
        if pending:
            self._environment = _execute_on_ray(self.config, pending, on_result)


def _execute_on_ray(
    config: ExecConfig, programs: Sequence[Program], on_result: OnResult
) -> dict[str, object]:
    """Every program executed on the cluster, `on_result` called here as each batch lands; returns a
    worker's execution environment (for the run's record)."""
    assert config.ray_address is not None
    ray = _connect(config.ray_address)
    workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
    on_worker = dataclasses.replace(config, ray_address=None, jobs=1, workroot=None)
    task = ray.remote(num_cpus=1, max_retries=0)(_run_batch)
    batches = balanced_chunks(list(programs), config.batch_size or DEFAULT_BATCH_SIZE, workers)
    pending = {task.remote(on_worker, batch): batch for batch in batches}
    environment: dict[str, object] = {"executor": "ray"}
    try:
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                batch = pending.pop(ref)
                try:
                    environment, results = ray.get(ref)
                except Exception as exc:  # a worker lost or a harness bug: those samples, not the run
                    log.exception("ray batch of %d failed", len(batch))
                    reason = one_line(f"ray worker error: {type(exc).__name__}: {exc}")
                    for program in batch:
                        on_result(program.key, ExecResult(Status.SANDBOX_ERROR, reason=reason))
                    continue
                for key, result in results:
                    on_result(key, result)
    except BaseException:
        for ref in pending:
            ray.cancel(ref, force=True)
        raise
    return environment
