"""Evaluation runs under one folder, read for the web UI's Runs page: a table of runs, one run's samples
by problem, and one sample in full. Independent of HTTP.

A run is a directory with a `run.json` (what `rustcoder run` / `evaluate` write). Nothing here raises
for a damaged run: a missing or malformed file becomes a readable `problem` on the row, and a results
file cut off by a kill is read up to its last whole line, as a resume reads it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from rustcoder.errors import DataError, RustcoderError
from rustcoder.evaluation.results import read_results
from rustcoder.jsonl import read_jsonl
from rustcoder.types import ResultRecord, Status


class RunNotFound(RustcoderError):
    """No such run (or sample) under the folder served."""


@dataclass(frozen=True, slots=True)
class RunRow:
    name: str
    benchmark: str = ""
    model: str = ""
    strategy: str = ""
    status: str = ""
    samples: int = 0
    problems: int = 0
    pass_at_1: float | None = None
    ci95: tuple[float, float] | None = None
    fim: dict[str, float] | None = None
    """Fill-in-the-middle scores (exact match, edit similarity, parses) for a FIM run."""
    generation_seconds: float = 0.0
    finished_at: str = ""
    report: str | None = None
    """The run's HTML report, relative to the runs folder, when it has one."""
    problem: str | None = None
    """What is wrong with the run's files, if anything."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SampleCell:
    index: int
    status: str
    error_codes: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RunDetail:
    row: RunRow
    problems: dict[str, list[SampleCell]] = field(default_factory=dict)
    """Task id → its samples' results, in the benchmark's order."""

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.row.to_json(),
            "problems": [
                {"task_id": task, "samples": [asdict(c) for c in cells]}
                for task, cells in self.problems.items()
            ],
        }


def _json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path.name} is missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path.name} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise DataError(f"{path.name} is not a JSON object")
    return value


def _name(value: Any) -> str:
    return str(value.get("name", "")) if isinstance(value, dict) else str(value or "")


def run_dir(root: Path, name: str) -> Path:
    """The run `name` directly under `root`; RunNotFound for anything else (no paths, no `..`)."""
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise RunNotFound(f"no run named {name!r}")
    path = root / name
    if not (path / "run.json").is_file():
        raise RunNotFound(f"no run named {name!r} under {root}")
    return path


def list_runs(root: Path) -> list[RunRow]:
    """Every run directly under `root`, by name."""
    if not root.is_dir():
        raise RunNotFound(f"{root} is not a folder")
    return [_row(path) for path in sorted(root.iterdir()) if (path / "run.json").is_file()]


def _row(path: Path) -> RunRow:
    return _summarised(path, *_read(path))


def _read(path: Path) -> tuple[dict[str, Any] | DataError, dict[tuple[str, int], ResultRecord] | DataError]:
    """The run's run.json and results, each read once; what cannot be read, as its error."""
    info: dict[str, Any] | DataError
    records: dict[tuple[str, int], ResultRecord] | DataError
    try:
        info = _json(path / "run.json")
    except DataError as exc:
        info = exc
    try:
        records = read_results(path / "results.jsonl")
    except DataError as exc:
        records = exc
    return info, records


def _summarised(
    path: Path,
    info: dict[str, Any] | DataError,
    records: dict[tuple[str, int], ResultRecord] | DataError,
) -> RunRow:
    if isinstance(info, DataError):
        return RunRow(path.name, problem=str(info))
    history = info.get("history") or []
    last = history[-1] if history and isinstance(history[-1], dict) else {}
    report = path / "report" / "report.html"
    row = RunRow(
        name=path.name,
        benchmark=_name(info.get("benchmark")),
        model=_name(info.get("model")),
        strategy=_name(info.get("strategy")),
        status=str(info.get("status", "")),
        problems=len(info.get("problems") or []),
        generation_seconds=round(sum(float(h.get("generation_seconds", 0)) for h in history), 2),
        finished_at=str(last.get("finished_at", "")),
        report=f"{path.name}/report/report.html" if report.is_file() else None,
    )
    if isinstance(records, DataError):
        return replace(row, problem=str(records))
    if not records:
        return replace(row, problem=None if info.get("status") != "complete" else "results.jsonl is missing")
    from rustcoder.metrics.summary import summarize

    summary = summarize(records.values())
    passed = summary.pass_at_k.get("1")
    return replace(row, samples=len(records), pass_at_1=passed, ci95=summary.pass_at_1_ci95, fim=summary.fim)


def run_detail(root: Path, name: str) -> RunDetail:
    """One run's samples by problem: every problem of the run, in its order, even those not scored yet."""
    path = run_dir(root, name)
    info, records = _read(path)
    order = [] if isinstance(info, DataError) else [str(t) for t in info.get("problems") or []]
    problems: dict[str, list[SampleCell]] = {task: [] for task in order}
    scored = {} if isinstance(records, DataError) else records
    for record in sorted(scored.values(), key=_by_index):
        problems.setdefault(record.task_id, []).append(
            SampleCell(record.sample_index, record.status.value, record.error_codes, record.reason[:200])
        )
    return RunDetail(_summarised(path, info, records), problems)


def _by_index(record: ResultRecord) -> int:
    return record.sample_index


def sample_detail(root: Path, name: str, task_id: str, index: int) -> dict[str, Any]:
    """One sample in full: its generation (raw output, extracted code, timings, repair rounds), its
    result (status, compile output, test output) and the request the strategy made for it."""
    path = run_dir(root, name)
    generated = _sample(path / "samples.jsonl", task_id, index)
    info, records = _read(path)
    result = None if isinstance(records, DataError) else records.get((task_id, index))
    if generated is None and result is None:
        raise RunNotFound(f"run {name!r} has no sample {index} of {task_id!r}")
    prompt, why = _prompt({} if isinstance(info, DataError) else info, task_id)
    return {
        "run": name,
        "task_id": task_id,
        "index": index,
        "generation": generated,
        "result": result.to_json() if result is not None else None,
        "status": result.status.value if result is not None else Status.NOT_EXECUTED.value,
        "prompt": prompt,
        "prompt_note": why,
    }


def _sample(path: Path, task_id: str, index: int) -> dict[str, Any] | None:
    found = None
    try:
        for _, row in read_jsonl(path, allow_torn_tail=True):
            if row.get("task_id") == task_id and int(row.get("sample_index", -1)) == index:
                found = row  # a later line (a retry) replaces an earlier one
    except (DataError, OSError, ValueError):
        return found
    return found


def _prompt(info: dict[str, Any], task_id: str) -> tuple[list[dict[str, str]] | None, str]:
    """The request the run's strategy makes for the task (before the model's chat template), or why it
    cannot be shown."""
    benchmark = info.get("benchmark") or {}
    strategy = info.get("strategy") or {}
    source = _name(benchmark)
    try:
        problem = _problems(source).get(task_id)
    except (RustcoderError, OSError) as exc:
        return None, f"the benchmark {source!r} cannot be loaded here: {exc}"
    if problem is None:
        return None, f"{task_id} is not in the benchmark {source!r} as loaded here"
    from rustcoder.prompting.registry import recorded_strategy

    name = _name(strategy)
    template = strategy.get("template") if isinstance(strategy, dict) else None
    try:
        chosen = recorded_strategy(name, template, languages=[problem.language])
    except (KeyError, ValueError):
        return None, f"unknown strategy {name!r}"
    request = chosen.request(problem, temperature=0.0, seed=0, max_tokens=1)
    if request.messages:
        return [{"role": m.role, "content": m.content} for m in request.messages], ""
    parts = [{"role": "prefix", "content": request.prompt or ""}]
    if request.suffix is not None:
        parts.append({"role": "suffix", "content": request.suffix})
    return parts, ""


@lru_cache(maxsize=8)
def _problems(source: str) -> dict[str, Any]:
    from rustcoder.benchmarks import load_benchmark

    return {p.task_id: p for p in load_benchmark(source).problems}
