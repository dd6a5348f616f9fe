"""The selection table and plot of docs/results: for each run of N samples per problem, pass@1 of one
greedy answer, of a random sample, pass@N, and pass@1 of the answer each selection method chose, each
with the generation time it cost (the greedy run's; the N samples'; plus the model's written tests for
self-tests and agreement; plus the repair rounds for a `-repair` selection).

Used by make_results.py; on its own: .venv/bin/python benchmarks/selection_results.py [--runs runs]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustcoder.metrics.summary import Summary

METHODS = ("compile", "examples", "self-tests", "agreement")


@dataclass(frozen=True, slots=True)
class Point:
    model: str
    benchmark: str
    method: str
    pass_at_1: float
    minutes: float


def _summary(path: Path) -> Summary | None:
    if not path.is_file():
        return None
    return Summary.from_json(json.loads(path.read_text(encoding="utf-8")))


def _jsonl_sum(path: Path, field: str) -> float:
    if not path.is_file():
        return 0.0
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return sum(float(row.get(field) or 0.0) for row in rows)


def _generation_minutes(summary: Summary) -> float:
    stats = summary.generation.get("gen_seconds")
    return (stats.total or 0.0) / 60 if stats is not None else 0.0


def _wall_minutes(folder: Path, info: dict[str, Any]) -> float:
    """The generation time of a run of N samples: a problem's samples were decoded together, `parallel`
    at a time, so each call costs its slowest sample (a sample's `gen_seconds` runs from the call's
    start), not the sum of its samples' times. The call is the one a sample records (`call`), else,
    for runs made before samples recorded it, the one `parallel` put it in."""
    together = max(1, int(info.get("backend", {}).get("parallel") or 1))
    calls: dict[tuple[str, int], float] = {}
    for line in (folder / "results.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            call = row.get("call")
            first = int(call) if call is not None else int(row["sample_index"]) // together * together
            key = (row["task_id"], first)
            calls[key] = max(calls.get(key, 0.0), float(row.get("gen_seconds") or 0.0))
    return sum(calls.values()) / 60


def _decoding_only(info: dict[str, Any]) -> tuple[str, ...]:
    """What a greedy run must share with a run of N samples to be its baseline: everything but decoding
    (model, backend, adapter, strategy with its wording and attempts)."""
    backend = info.get("backend", {})
    return (
        info["model"]["name"],
        str(backend.get("backend")),
        json.dumps(backend.get("lora") or backend.get("adapter")),
        json.dumps(info.get("strategy", {}), sort_keys=True),
    )


def bench_name(benchmark: str) -> str:
    """A benchmark's short name in the results tables: its file name without `.jsonl(.gz)`."""
    return Path(benchmark).name.removesuffix(".gz").removesuffix(".jsonl")


def points(runs_dir: Path, runs: list[tuple[str, dict[str, Any], Summary]]) -> list[Point]:
    """One point per (run of N samples, method), plus its greedy run and its raw samples."""
    greedy = {
        (*_decoding_only(info), bench_name(s.benchmark)): (name, s)
        for name, info, s in sorted(runs, key=lambda run: run[0], reverse=True)  # the first name wins
        if s.samples == s.problems and info.get("sampling", {}).get("temperature") == 0.0
    }
    found: list[Point] = []
    for name, info, summary in runs:
        if summary.samples <= summary.problems or not any((runs_dir / name).glob("select-*")):
            continue
        model, bench = info["model"]["name"], bench_name(summary.benchmark)
        base = _wall_minutes(runs_dir / name, info)
        n = summary.samples // max(1, summary.problems)
        baseline = greedy.get((*_decoding_only(info), bench))
        if baseline is not None:
            one = baseline[1]
            found.append(
                Point(model, bench, f"greedy ({baseline[0]})", one.pass_at_k["1"], _generation_minutes(one))
            )
        found.append(Point(model, bench, f"one of {n} samples", summary.pass_at_k["1"], base))
        solved = sum(1 for r in summary.per_problem.values() if r.c > 0) / max(1, len(summary.per_problem))
        found.append(Point(model, bench, f"pass@{n} (oracle)", solved, base))
        written = _jsonl_sum(runs_dir / name / "written-tests.jsonl", "seconds") / 60
        for method in METHODS:
            for suffix in ("", "-repair"):
                folder = runs_dir / name / f"select-{method}{suffix}"
                chosen = _summary(folder / "results.summary.json")
                if chosen is None:
                    continue
                cost = base + (written if method in ("self-tests", "agreement") else 0.0)
                cost += _jsonl_sum(folder / "samples.jsonl", "repair_seconds") / 60
                found.append(Point(model, bench, method + suffix, chosen.pass_at_k["1"], cost))
    return found


def table(found: list[Point]) -> list[str]:
    if not found:
        return ["No run of several samples per problem has been selected from yet."]
    lines = ["| model | benchmark | answer | pass@1 % | generation (min) |", "|---|---|---|---|---|"]
    for p in found:
        lines.append(
            f"| {p.model} | {p.benchmark} | {p.method} | {100 * p.pass_at_1:.1f} | {p.minutes:.1f} |"
        )
    return lines


def marker_label(method: str) -> str:
    """A point's marker in the plot: its method, every run's greedy answer under one ("greedy")."""
    return "greedy" if method.startswith("greedy (") else method


def plot(found: list[Point], out: Path) -> Path | None:
    """pass@1 against generation time, a marker per method, a colour per model and benchmark (SVG)."""
    if not found:
        return None
    from rustcoder.metrics.plots import new_figure, to_svg

    drawing = new_figure(10, 5)
    axes = drawing.add_subplot()
    groups = sorted({(p.model, p.benchmark) for p in found})
    markers = dict(zip(sorted({marker_label(p.method) for p in found}), "osD^v<>pP*Xh", strict=False))
    for colour, (model, bench) in enumerate(groups):
        mine = [p for p in found if (p.model, p.benchmark) == (model, bench)]
        for p in mine:
            shape = markers.get(marker_label(p.method), "o")
            axes.scatter(p.minutes, 100 * p.pass_at_1, color=f"C{colour}", marker=shape)
        axes.plot([], [], color=f"C{colour}", label=f"{model}, {bench}")
    for method, marker in markers.items():
        axes.scatter([], [], color="grey", marker=marker, label=method)
    axes.set_xlabel("generation time (minutes, 2 cores)")
    axes.set_ylabel("pass@1 %")
    # beside the axes, not over them: points fill every corner once several runs are drawn
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    axes.grid(alpha=0.3)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_svg(drawing), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=Path, default=Path("runs"))
    args = parser.parse_args()
    from make_results import finished

    print("\n".join(table(points(args.runs, finished(args.runs)))))


if __name__ == "__main__":
    main()
