"""Score published runs again with this checkout's execution and say which samples change.

For each run folder (and each sub-folder holding a selection's or a wording's samples), the recorded
samples are executed again against the benchmark the run recorded (its sha256 checked), and each
sample's status is compared with the recorded one. Nothing in the runs is written; the new results go to
a temporary folder. A change means the execution differs from the one that made the run (a fixed hash
seed, another rustc, a changed test harness) or that the sample behaves differently from run to run.

    .venv/bin/python benchmarks/rescore.py docs/results/runs/hep-* docs/results/runs/mhe-*
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from rustcoder.benchmarks import Benchmark, load_benchmark
from rustcoder.evaluation.results import read_results
from rustcoder.evaluation.run import evaluate
from rustcoder.evaluation.samples import load_samples
from rustcoder.execute.engine import ExecConfig
from rustcoder.generation.manifest import RunManifest
from rustcoder.types import Status

Key = tuple[str, int]


def scored_folders(run: Path) -> list[Path]:
    """`run` and its sub-folders that hold both samples and their results."""
    found = [run, *sorted(p for p in run.iterdir() if p.is_dir())]
    return [f for f in found if (f / "samples.jsonl").is_file() and (f / "results.jsonl").is_file()]


def recorded_benchmark(folder: Path) -> dict[str, Any] | None:
    """The benchmark record of the nearest run.json at or above `folder` (a wording's own, else the run's)."""
    for place in (folder, folder.parent):
        if (place / "run.json").is_file():
            return RunManifest.read(place / "run.json").benchmark
    return None


def statuses(path: Path) -> dict[Key, Status]:
    return {key: record.status for key, record in read_results(path).items()}


def rescore(folder: Path, benchmark: Benchmark, workdir: Path) -> tuple[int, list[str], float, float]:
    """(samples, the changes as `task/index: old -> new`, pass rate recorded, pass rate now)."""
    before = statuses(folder / "results.jsonl")
    out = workdir / (folder.name + ".results.jsonl")
    samples = load_samples(folder / "samples.jsonl", {p.task_id for p in benchmark.problems})
    evaluate(benchmark, samples, out, config=ExecConfig(), ks=(1,), overwrite=True)
    after = statuses(out)
    changes = [
        f"{t}/{i}: {was} -> {after.get((t, i))}" for (t, i), was in before.items() if was != after.get((t, i))
    ]
    passed = [sum(s is Status.PASSED for s in run.values()) / max(len(run), 1) for run in (before, after)]
    return len(before), changes, passed[0], passed[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    args = parser.parse_args()
    loaded: dict[str, Benchmark] = {}
    print("| run | samples | changed | pass rate recorded | now |\n|---|---|---|---|---|")
    total = changed = 0
    with tempfile.TemporaryDirectory(prefix="rescore-") as tmp:
        for run in args.runs:
            for folder in scored_folders(run):
                record = recorded_benchmark(folder)
                if record is None:
                    continue
                name = record["name"]
                if name not in loaded:
                    loaded[name] = load_benchmark(name)
                benchmark = loaded[name]
                if benchmark.sha256 != record["sha256"]:
                    print(f"| {folder} | skipped: its benchmark's sha256 differs from the one here | | | |")
                    continue
                count, changes, old, new = rescore(folder, benchmark, Path(tmp))
                total, changed = total + count, changed + len(changes)
                label = folder.relative_to(run.parent)
                print(f"| {label} | {count} | {len(changes)} | {old:.3f} | {new:.3f} |", flush=True)
                for change in changes:
                    print(f"|   {change} | | | | |", flush=True)
    print(f"\n{changed} of {total} samples changed status")


if __name__ == "__main__":
    main()
