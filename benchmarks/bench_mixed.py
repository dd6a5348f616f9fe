"""Throughput and peak memory on 1,000 mixed samples: passing, failing, not compiling, panicking, timing out.

Samples are built deterministically (seeded) from a Rust benchmark's reference solutions:
  pass     the reference completion
  wrong    `Default::default()` as the body (mostly test failures; some types do not compile)
  compile  the reference with a type error in front (E0308)
  panic    the reference after an out-of-bounds index
  timeout  `loop {}`
and evaluated with rustcoder's defaults (all CPUs, batch 96, 10 s per sample) unless told otherwise.

    .venv/bin/python benchmarks/bench_mixed.py [--data FILE_OR_NAME] [--samples 1000] [--timeout 10]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from rustcoder.benchmarks import load_benchmark
from rustcoder.evaluation.run import evaluate
from rustcoder.evaluation.samples import SampleSet
from rustcoder.execute.engine import DEFAULT_BATCH_SIZE, ExecConfig
from rustcoder.execute.sandbox import Limits
from rustcoder.types import Problem, Sample

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "humaneval-x-rust.jsonl.gz"
MIX = {"pass": 0.58, "wrong": 0.16, "compile": 0.16, "panic": 0.07, "timeout": 0.03}


def completion(kind: str, problem: Problem) -> str:
    reference = problem.canonical_solution or ""
    return {
        "pass": reference,
        "wrong": "\n    Default::default()\n}\n",
        "compile": '\n    let _bad: i32 = "not a number";' + reference,
        "panic": "\n    let _empty: Vec<i32> = Vec::new();\n    let _ = _empty[1];" + reference,
        "timeout": "\n    loop {}\n}\n",
    }[kind]


def build(problems: list[Problem], count: int, seed: int) -> tuple[SampleSet, Counter[str]]:
    rng = random.Random(seed)
    kinds = [kind for kind, share in MIX.items() for _ in range(round(share * count))][:count]
    rng.shuffle(kinds)
    samples, per_task = [], Counter[str]()
    for kind in kinds:
        problem = rng.choice(problems)
        samples.append(
            Sample(problem.task_id, per_task[problem.task_id], completion=completion(kind, problem))
        )
        per_task[problem.task_id] += 1
    return SampleSet(samples, []), Counter(kinds)


class TreeMemory(threading.Thread):
    """Samples the summed RSS of this process and all its descendants every 50 ms; keeps the peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_total = self.peak_single = 0
        self.stop = threading.Event()

    @staticmethod
    def _snapshot() -> dict[int, tuple[int, int]]:
        table = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                status = (entry / "status").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
            table[int(entry.name)] = (parent, rss)
        return table

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.wait(0.05):
            table = self._snapshot()
            tree, frontier = {me}, [me]
            while frontier:
                parent = frontier.pop()
                children = [pid for pid, (ppid, _) in table.items() if ppid == parent and pid not in tree]
                tree.update(children)
                frontier += children
            sizes = [table[pid][1] for pid in tree if pid in table]
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_single = max(self.peak_single, max(sizes, default=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(SHARED) if SHARED.exists() else "humanevalpack-rust")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    benchmark = load_benchmark(args.data)
    problems = [p for p in benchmark.problems if p.canonical_solution is not None]
    sample_set, kinds = build(problems, args.samples, args.seed)
    config = ExecConfig(jobs=args.jobs, batch_size=args.batch_size, limits=Limits(wall_seconds=args.timeout))
    print(
        f"data: {benchmark.origin}; {len(sample_set.samples)} samples {dict(kinds)}; "
        f"jobs {config.workers}, batch {args.batch_size}, timeout {args.timeout:g} s"
    )
    memory = TreeMemory()
    memory.start()
    with tempfile.TemporaryDirectory(prefix="rustcoder-bench-") as tmp:
        started = time.perf_counter()
        document = evaluate(benchmark, sample_set, Path(tmp) / "results.jsonl", config=config, overwrite=True)
        wall = time.perf_counter() - started
    memory.stop.set()
    timeouts = document["status_counts"]["timeout"]
    busy = timeouts * args.timeout / config.workers
    print(f"wall {wall:.1f} s: {len(sample_set.samples) / wall:.1f} samples/s")
    print(
        f"of which at least {busy:.0f} s is {timeouts} samples running out their {args.timeout:g} s "
        f"on {config.workers} workers; the rest: {(len(sample_set.samples) - timeouts) / (wall - busy):.1f} "
        "samples/s"
    )
    print(f"statuses {document['status_counts']}")
    print(f"top error codes {dict(list(document['error_codes'].items())[:5])}")
    print(
        f"compile time (sum over batches) {document['execution']['compile_seconds']:.1f} s, "
        f"test run time (sum over samples) {document['execution']['run_seconds']:.1f} s"
    )
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak RSS: harness process {me:.0f} MiB; whole process tree {memory.peak_total / 1024:.0f} MiB "
        f"(largest single process {memory.peak_single / 1024:.0f} MiB), sampled every 50 ms"
    )


if __name__ == "__main__":
    main()
