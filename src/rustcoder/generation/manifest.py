"""run.json (and `generate`'s SAMPLES.meta.json): what produced a run's samples, and whether a resume may
add to them.

The manifest records the benchmark, problems, model, backend, strategy and sampling, the rustcoder
version and machine, and each start of the run. Its identity is the part that decides what the samples
are; a resume whose identity differs is refused, naming each field that changed. Settings added since
the first runs count at the value that reproduces runs recorded without them (LEGACY_SAMPLING), so
those runs still resume.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rustcoder.backends.base import Backend
from rustcoder.benchmarks import Benchmark
from rustcoder.errors import DataError
from rustcoder.jsonl import write_json
from rustcoder.prompting.base import Strategy
from rustcoder.provenance import source_version
from rustcoder.settings import Sampling
from rustcoder.types import Problem

IDENTITY = ("benchmark", "model", "backend", "strategy", "sampling", "problems")
OPERATIONAL = frozenset({"threads", "concurrency", "retries", "api_key_env", "request_timeout", "parallel"})
"""Backend settings that change how fast samples come, not what they are: a resume may change them.
(`parallel`: a prompt's samples decoded together draw from the same distribution, seed for seed, as
one by one; with the default model greedy decoding gives the same tokens either way.)"""
LEGACY_SAMPLING = {"loop_span": 0}
"""Sampling settings added since the first runs, at the value that reproduces runs recorded without them."""


def template_digest(strategy: Strategy, chat_template: str | None) -> str:
    """Identifies the exact prompts: the strategy's templates and the model's chat template."""
    text = json.dumps({"strategy": strategy.template(), "chat": chat_template}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class RunManifest:
    benchmark: dict[str, Any]
    problems: list[str]
    model: dict[str, Any]
    backend: dict[str, Any]
    strategy: dict[str, Any]
    sampling: dict[str, Any]
    rustcoder: str
    machine: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    """One entry per start: started_at, rustcoder, and (when recorded) generated, generation_seconds,
    evaluation_seconds, finished_at or ended_at (metrics.starts reads them)."""
    status: str | None = None
    """generating, evaluating, reporting, complete (None in a samples file's settings record)."""
    execution: dict[str, Any] | None = None
    """The execution environment and config of the last evaluation (rustc, crates, limits)."""

    @classmethod
    def describe(
        cls,
        benchmark: Benchmark,
        problems: Sequence[Problem],
        backend: Backend,
        strategy: Strategy,
        sampling: Sampling,
    ) -> RunManifest:
        """Everything that determines the samples, plus where they are made."""
        info = backend.describe()
        record = info.record()
        return cls(
            benchmark=benchmark.provenance(),
            problems=[p.task_id for p in problems],
            model=info.model,
            backend={k: v for k, v in record.items() if k not in ("model", "chat_template")},
            strategy={
                "name": strategy.name,
                "description": strategy.description,
                "template": strategy.template(),
                "chat_template": info.chat_template,
                "template_sha256": template_digest(strategy, info.chat_template),
                "attempts": sampling.attempts or strategy.default_attempts,
            },
            sampling=sampling.model_dump(mode="json"),
            rustcoder=source_version(),
            machine={"platform": platform.platform(), "python": platform.python_version()},
        )

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "benchmark": self.benchmark,
            "problems": self.problems,
            "model": self.model,
            "backend": self.backend,
            "strategy": self.strategy,
            "sampling": self.sampling,
            "rustcoder": self.rustcoder,
            "machine": self.machine,
        }
        if self.status is not None:
            document.update(history=self.history, status=self.status)
        if self.execution is not None:
            document["execution"] = self.execution
        return document

    def write(self, path: Path) -> None:
        write_json(path, self.to_json())

    @classmethod
    def read(cls, path: Path) -> RunManifest:
        """DataError (naming the file) when it is not a rustcoder settings record."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                benchmark=dict(document["benchmark"]),
                problems=list(document["problems"]),
                model=dict(document.get("model") or {}),
                backend=dict(document.get("backend") or {}),
                strategy=dict(document["strategy"]),
                sampling=dict(document.get("sampling") or {}),
                rustcoder=str(document.get("rustcoder", "")),
                machine=dict(document.get("machine") or {}),
                history=list(document.get("history") or []),
                status=document.get("status"),
                execution=document.get("execution"),
            )
        except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DataError(f"{path}: not a rustcoder settings record ({exc}); use another --out") from exc

    def identity(self) -> dict[str, Any]:
        """The part of the manifest that decides what the samples are."""
        return {
            "benchmark": {"sha256": self.benchmark["sha256"], "defects": self.benchmark["defects"]},
            "model": {"sha256": self.model.get("sha256"), "name": self.model.get("name")},
            "backend": {k: v for k, v in self.backend.items() if k not in OPERATIONAL},
            "strategy": {k: self.strategy.get(k) for k in ("name", "template_sha256", "attempts")},
            "sampling": {**LEGACY_SAMPLING, **self.sampling},
            "problems": self.problems,
        }

    def differences(self, recorded: RunManifest) -> list[str]:
        """What would differ from `recorded`'s samples: `key.field: old -> new`."""
        before, after = recorded.identity(), self.identity()
        out = []
        for key in IDENTITY:
            old, new = before[key], after[key]
            if old == new:
                continue
            if isinstance(old, dict) and isinstance(new, dict):
                fields = sorted(f for f in old.keys() | new.keys() if old.get(f) != new.get(f))
                out += [f"{key}.{f}: {_short(old.get(f))} -> {_short(new.get(f))}" for f in fields]
            else:
                out.append(f"{key} differ")
        return out

    def resuming(self, path: Path) -> RunManifest:
        """This manifest, continuing the one recorded at `path` (its history and execution kept);
        DataError if the recorded samples were made with other settings."""
        recorded = RunManifest.read(path)
        try:
            changed = self.differences(recorded)
        except (KeyError, TypeError, AttributeError) as exc:
            raise DataError(f"{path}: not a rustcoder settings record ({exc}); use another --out") from exc
        if changed:
            raise DataError(
                f"{path}: its samples were made with other settings ({'; '.join(changed)}); use another --out"
            )
        self.history = recorded.history
        self.execution = recorded.execution
        return self

    def start(self) -> dict[str, Any]:
        """A new entry in the history, for this start of the run."""
        entry: dict[str, Any] = {"started_at": now(), "rustcoder": source_version()}
        self.history.append(entry)
        return entry


def _short(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 20 else text[:16] + "..."
