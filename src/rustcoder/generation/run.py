"""`rustcoder run`: generate, evaluate and report into one directory; resumable after a crash or kill.

RUN_DIR/run.json records everything that produced the result. Resuming with different settings (another
model file, strategy, template or sampling) is refused rather than mixed into the same samples.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rustcoder.backends.base import Backend
from rustcoder.benchmarks import Benchmark
from rustcoder.errors import DataError
from rustcoder.evaluation.checks import sandbox_check
from rustcoder.evaluation.run import evaluate
from rustcoder.evaluation.samples import load_samples
from rustcoder.execute.engine import ExecConfig, Executor
from rustcoder.generation.generate import generate
from rustcoder.jsonl import write_json
from rustcoder.prompting.base import MultiTurn, Strategy
from rustcoder.provenance import source_version
from rustcoder.settings import Sampling
from rustcoder.types import Problem

Progress = Callable[[int, int], None]
IDENTITY = ("benchmark", "model", "backend", "strategy", "sampling", "problems")
OPERATIONAL = frozenset({"threads", "concurrency", "retries", "api_key_env", "request_timeout"})
"""Backend settings that change how fast samples come, not what they are: a resume may change them."""
LEGACY_SAMPLING = {"loop_span": 0}
"""Sampling settings added since the first runs, at the value that reproduces runs recorded without them."""


def _template_digest(strategy: Strategy, backend_info: dict[str, Any]) -> str:
    text = json.dumps(
        {"strategy": strategy.template(), "chat": backend_info.get("chat_template")}, sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()


def describe_run(
    benchmark: Benchmark,
    problems: Sequence[Problem],
    backend: Backend,
    strategy: Strategy,
    sampling: Sampling,
) -> dict[str, Any]:
    """Everything that determines the samples (checked on resume) plus where it ran."""
    info = backend.describe().record()
    model = info["model"]
    return {
        "benchmark": benchmark.provenance(),
        "problems": [p.task_id for p in problems],
        "model": model,
        "backend": {k: v for k, v in info.items() if k not in ("model", "chat_template")},
        "strategy": {
            "name": strategy.name,
            "description": strategy.description,
            "template": strategy.template(),
            "chat_template": info.get("chat_template"),
            "template_sha256": _template_digest(strategy, info),
            "attempts": sampling.attempts or strategy.default_attempts,
        },
        "sampling": sampling.model_dump(mode="json"),
        "rustcoder": source_version(),
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
    }


def _identity(info: dict[str, Any]) -> dict[str, Any]:
    ident = {key: info.get(key) for key in IDENTITY}
    ident["benchmark"] = {"sha256": info["benchmark"]["sha256"], "defects": info["benchmark"]["defects"]}
    ident["model"] = {
        "sha256": (info.get("model") or {}).get("sha256"),
        "name": (info.get("model") or {}).get("name"),
    }
    ident["sampling"] = {**LEGACY_SAMPLING, **(info.get("sampling") or {})}
    ident["backend"] = {k: v for k, v in (info.get("backend") or {}).items() if k not in OPERATIONAL}
    ident["strategy"] = {
        k: (info.get("strategy") or {}).get(k) for k in ("name", "template_sha256", "attempts")
    }
    return ident


def _differences(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between two identities: `key.field: old -> new` where both are mappings."""
    out = []
    for key in IDENTITY:
        old, new = before.get(key), now.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            fields = sorted(f for f in old.keys() | new.keys() if old.get(f) != new.get(f))
            out += [f"{key}.{f}: {_short(old.get(f))} -> {_short(new.get(f))}" for f in fields]
        else:
            out.append(f"{key} differ")
    return out


def same_settings(recorded: Path, info: dict[str, Any]) -> dict[str, Any]:
    """The settings recorded in `recorded`; DataError if they would make other samples than `info`."""
    try:
        previous: dict[str, Any] = json.loads(recorded.read_text(encoding="utf-8"))
        changed = _differences(_identity(previous), _identity(info))
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(f"{recorded}: not a rustcoder settings record ({exc}); use another --out") from exc
    if changed:
        raise DataError(
            f"{recorded}: its samples were made with other settings ({'; '.join(changed)}); use another --out"
        )
    return previous


def _short(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 20 else text[:16] + "..."


def run(
    benchmark: Benchmark,
    problems: Sequence[Problem],
    backend: Backend,
    strategy: Strategy,
    sampling: Sampling,
    run_dir: Path,
    *,
    config: ExecConfig | None = None,
    generation_progress: Progress | None = None,
    evaluation_progress: Progress | None = None,
) -> dict[str, Any]:
    """Generate what is missing, evaluate what is not evaluated, report; returns the summary document."""
    run_dir.mkdir(parents=True, exist_ok=True)
    info_path = run_dir / "run.json"
    info = describe_run(benchmark, problems, backend, strategy, sampling)
    if info_path.exists():
        previous = same_settings(info_path, info)
        info["history"] = previous.get("history", [])
    info.setdefault("history", []).append(
        {"started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "rustcoder": source_version()}
    )
    info["status"] = "generating"
    write_json(info_path, info)

    try:
        return _generate_and_evaluate(
            benchmark,
            problems,
            backend,
            strategy,
            sampling,
            run_dir,
            info,
            config,
            generation_progress,
            evaluation_progress,
        )
    except BaseException:
        # Ctrl-C or an error: the start's end goes into the history, so its wall time is known.
        info["history"][-1]["ended_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        write_json(info_path, info)
        raise


def _generate_and_evaluate(
    benchmark: Benchmark,
    problems: Sequence[Problem],
    backend: Backend,
    strategy: Strategy,
    sampling: Sampling,
    run_dir: Path,
    info: dict[str, Any],
    config: ExecConfig | None,
    generation_progress: Progress | None,
    evaluation_progress: Progress | None,
) -> dict[str, Any]:
    info_path = run_dir / "run.json"
    started = time.monotonic()
    samples_path = run_dir / "samples.jsonl"
    check = None
    if isinstance(strategy, MultiTurn):
        check = sandbox_check(Executor(dataclasses.replace(config or ExecConfig(), jobs=1)))
    generated = generate(backend, strategy, problems, sampling, samples_path, generation_progress, check)
    info["history"][-1].update(generated=generated, generation_seconds=round(time.monotonic() - started, 2))
    info["status"] = "evaluating"
    write_json(info_path, info)

    started = time.monotonic()
    sample_set = load_samples(samples_path, {p.task_id for p in problems})
    origin = {"path": str(samples_path), "strategy": strategy.name, "model": info["model"].get("name")}
    document = evaluate(
        benchmark,
        sample_set,
        run_dir / "results.jsonl",
        config=config,
        samples_origin=origin,
        progress=evaluation_progress,
    )
    document["run"]["generation"] = {k: info[k] for k in ("model", "backend", "strategy", "sampling")}
    info["execution"] = {k: document["run"][k] for k in ("environment", "config")}  # rustc, crates, limits
    write_json(run_dir / "results.summary.json", document)
    info["history"][-1]["evaluation_seconds"] = round(time.monotonic() - started, 2)
    info["history"][-1]["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    info["status"] = "reporting"
    write_json(info_path, info)

    from rustcoder.metrics.report import load_runs, write_report

    write_report(load_runs([run_dir]), run_dir / "report")
    info["status"] = "complete"
    write_json(info_path, info)
    return document
