"""Where greedy runs were resumed, and whether their answers there are the uninterrupted run's.

A greedy answer can depend on what llama.cpp's KV cache held before its prompt; since 6e01986 a resumed
run first replays the prompts before it, but a run resumed before that took the first answer after each
restart from an empty cache. For each run folder (and each wording's sub-folder) made greedily one
sample a problem: its starts (run.json's history) and the problems where a start began generating after
an earlier start had generated some (known where the history records how many each start made; a start
killed before writing its record leaves where the ones before it began unknown). `--check` makes each of
those answers again as the uninterrupted run makes it (a copy of the run up to that problem, resumed by
this checkout, which replays the prompts before it) and says whether it is the recorded answer.

    .venv/bin/python benchmarks/resumed.py docs/results/runs/hep-* [--check]
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustcoder.benchmarks import Benchmark, load_benchmark
from rustcoder.generation.manifest import LEGACY_SAMPLING, RunManifest


@dataclass(frozen=True, slots=True)
class Resumes:
    folder: Path
    starts: int
    points: list[str]
    """The problems where a start began generating after an earlier one had generated (known ones)."""
    unknown: int
    """Starts whose count is not recorded, before which the points cannot be placed."""


def greedy_folders(run: Path) -> list[Path]:
    """`run` and its sub-folders holding a run.json and samples, made by llama.cpp greedily, one sample
    a problem (other backends keep no cache between requests; a problem's samples decoded together
    start from a cleared one)."""
    out = []
    for folder in [run, *sorted(p for p in run.iterdir() if p.is_dir())]:
        if not ((folder / "run.json").is_file() and (folder / "samples.jsonl").is_file()):
            continue
        manifest = RunManifest.read(folder / "run.json")
        sampling = manifest.sampling
        greedy = sampling.get("n", 1) == 1 and sampling.get("temperature", 0.0) == 0.0
        if greedy and manifest.backend.get("backend") == "llamacpp":
            out.append(folder)
    return out


def lines(folder: Path) -> list[dict[str, Any]]:
    """The samples in the order they were written (the order they were made)."""
    with (folder / "samples.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def resumes(folder: Path) -> Resumes:
    """Walks the history back from the last start: each start that recorded how many samples it made
    began that many lines before the next one's first."""
    history = RunManifest.read(folder / "run.json").history
    made = lines(folder)
    offset, points, unknown = len(made), [], 0
    for at, start in reversed(list(enumerate(history))):
        if "generated" not in start:  # it and the ones before made the first `offset` lines
            made_some = sum(1 for s in history[: at + 1] if s.get("generated", 1) > 0)
            unknown = max(0, made_some - 1) if offset > 0 else 0  # the first of them began at line 0
            break
        begin = offset - int(start["generated"])
        if start["generated"] > 0 and begin > 0:
            points.append(made[begin]["task_id"])
        offset = begin
    return Resumes(folder, len(history), points[::-1], unknown)


def check(folder: Path, task: str, workdir: Path, backends: dict[str, Any]) -> str:
    """The recorded answer at `task` against the one this checkout makes after the problems before it."""
    from rustcoder.backends.factory import create_backend
    from rustcoder.cli.modelopts import pick_strategy
    from rustcoder.errors import RustcoderError
    from rustcoder.generation.generate import generate
    from rustcoder.generation.manifest import template_digest
    from rustcoder.settings import GenerationJob, Sampling

    manifest = RunManifest.read(folder / "run.json")
    try:
        benchmark = _benchmark(manifest.benchmark["name"])
    except RustcoderError as exc:
        return f"skipped: {exc}"
    if benchmark.sha256 != manifest.benchmark["sha256"]:
        return "skipped: its benchmark differs from the one here"
    named = {p.task_id: p for p in benchmark.problems}
    upto = [named[t] for t in manifest.problems[: manifest.problems.index(task) + 1]]
    template = manifest.strategy["template"]
    variant = (template.get("prompt_variant") or {}).get("name", "exact")
    name = manifest.strategy["name"]
    job = GenerationJob(
        model=manifest.model["name"],
        strategy=name,
        prompt_variant=variant,
        fim_layout=template.get("fim_layout", "psm"),
        fim_hold=bool(template.get("holds_multi_line")),
    )
    strategy = pick_strategy(job, upto)
    kind = manifest.backend["backend"]
    if manifest.backend.get("lora"):
        return "skipped: made with an adapter"
    key = f"{kind}:{job.model}"
    if key not in backends:
        backends[key] = create_backend(kind, job.model, _settings(kind, manifest.backend))
    backend = backends[key]
    if template_digest(strategy, backend.describe().chat_template) != manifest.strategy["template_sha256"]:
        return "skipped: this checkout's prompts differ from the run's"
    made = {row["task_id"]: row for row in lines(folder)}
    path = workdir / "samples.jsonl"
    path.write_text("".join(json.dumps(made[p.task_id]) + "\n" for p in upto[:-1]), encoding="utf-8")
    sampling = Sampling(**{**LEGACY_SAMPLING, **manifest.sampling})
    generate(backend, strategy, upto, sampling, path)
    again = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    return "the same" if again["raw"] == made[task]["raw"] else "differs"


@functools.cache
def _benchmark(name: str) -> Benchmark:
    """Each benchmark loaded once, however many restarts are checked on it."""
    return load_benchmark(name)


def _settings(kind: str, recorded: dict[str, Any]) -> dict[str, Any]:
    wanted = {"llamacpp": ("threads", "context")}.get(kind, ())
    return {k: recorded[k] for k in wanted if recorded.get(k) is not None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="make each resumed answer again and compare")
    args = parser.parse_args()
    backends: dict[str, Any] = {}
    print("| run | starts | resumed at (known) | starts not placed | answers again |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="resumed-") as tmp:
        for run in args.runs:
            for folder in greedy_folders(run):
                found = resumes(folder)
                checked = ""
                if args.check and found.points:
                    results = []
                    for task in found.points:
                        work = Path(tmp) / task.replace("/", "_")
                        work.mkdir()
                        results.append(f"{task}: {check(folder, task, work, backends)}")
                        shutil.rmtree(work)
                    checked = "; ".join(results)
                label = folder.relative_to(run.parent)
                points = ", ".join(found.points) or "-"
                print(f"| {label} | {found.starts} | {points} | {found.unknown} | {checked} |", flush=True)


if __name__ == "__main__":
    main()
