"""Execute every reference solution of a Rust benchmark end to end, against a one-rustc-per-sample baseline.

The baseline is what common harnesses do: write each program (imports + solution + tests) to its own
file, `rustc --edition 2021 --test` it against the same crates, and run the test binary. It runs in the
same process, on the same problems, serially and with as many workers as rustcoder uses. rustcoder is
timed twice: its executor alone (assembled programs in, results out) at several batch sizes, and
`rustcoder check BENCH` end to end as a user runs it (a new process: start-up, loading the benchmark,
the toolchain and the sandbox, execution, the summary), which is the figure the 10x target is about.

    .venv/bin/python benchmarks/bench_reference.py [--data FILE_OR_NAME] [--jobs 2] [--repeat 3]

Any Rust benchmark works, fill-in-the-middle ones too (`--data humanevalpack-rust-infill-line`): each
baseline program is then the prefix, the reference middle and the suffix, with the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rustcoder.benchmarks import load_benchmark
from rustcoder.execute.assemble import assemble, sample_code
from rustcoder.execute.engine import ExecConfig, Executor
from rustcoder.execute.toolchain import load_toolchain
from rustcoder.types import Problem, Sample, Status

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "humaneval-x-rust.jsonl.gz"


def rustcoder_run(problems: list[Problem], jobs: int, batch_size: int) -> tuple[float, int]:
    programs = [
        assemble(p, Sample(p.task_id, 0, completion=p.canonical_solution), p.task_id) for p in problems
    ]
    passed = 0

    def on_result(_key: str, result) -> None:
        nonlocal passed
        passed += result.status is Status.PASSED

    executor = Executor(ExecConfig(jobs=jobs, batch_size=batch_size))
    started = time.perf_counter()
    executor.execute(programs, on_result)
    return time.perf_counter() - started, passed


def baseline_one(problem: Problem, workdir: Path) -> bool:
    toolchain = load_toolchain()
    folder = Path(tempfile.mkdtemp(dir=workdir))
    source = folder / "main.rs"
    sample = Sample(problem.task_id, 0, completion=problem.canonical_solution)
    source.write_text(problem.header + sample_code(problem, sample) + "\n" + problem.tests)
    compiled = subprocess.run(
        [
            str(toolchain.rustc),
            *toolchain.compile_args(),
            "--test",
            "-A",
            "warnings",
            str(source),
            "-o",
            str(folder / "main"),
        ],
        capture_output=True,
        check=False,
    )
    if compiled.returncode != 0:
        return False
    ran = subprocess.run([str(folder / "main")], capture_output=True, timeout=60, check=False)
    return ran.returncode == 0


def baseline_run(problems: list[Problem], jobs: int) -> tuple[float, int]:
    workdir = Path(tempfile.mkdtemp(prefix="rustcoder-baseline-"))
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(jobs) as pool:
            passed = sum(pool.map(lambda p: baseline_one(p, workdir), problems))
        return time.perf_counter() - started, passed
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def check_end_to_end(data: str, repeat: int) -> list[float]:
    """Wall times of `rustcoder check DATA` as a process, with the default settings."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "rustcoder", "check", data], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(SHARED) if SHARED.exists() else "humanevalpack-rust")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-sizes", default="96,48,24,8")
    args = parser.parse_args()

    benchmark = load_benchmark(args.data)
    problems = [p for p in benchmark.problems if p.canonical_solution is not None]
    load_toolchain()
    print(
        f"data: {benchmark.origin}; {len(problems)} reference solutions; "
        f"jobs {args.jobs}; cpus {os.cpu_count()}"
    )

    sizes = [int(s) for s in args.batch_sizes.split(",")]
    best: dict[int, float] = {}
    for size in sizes:
        times = []
        for _ in range(args.repeat):
            seconds, passed = rustcoder_run(problems, args.jobs, size)
            times.append(seconds)
        best[size] = min(times)
        print(
            f"rustcoder batch {size:>3}: median {statistics.median(times):6.2f} s, best {best[size]:6.2f} s, "
            f"passed {passed}/{len(problems)}"
        )

    end_to_end = check_end_to_end(args.data, max(args.repeat, 5))
    print(
        f"rustcoder check end to end: median {statistics.median(end_to_end):6.2f} s, "
        f"best {min(end_to_end):6.2f} s over {len(end_to_end)} runs"
    )

    serial, serial_passed = baseline_run(problems, 1)
    print(
        f"baseline rustc --test per sample, 1 worker : {serial:6.2f} s, "
        f"passed {serial_passed}/{len(problems)}"
    )
    parallel, parallel_passed = baseline_run(problems, args.jobs)
    print(
        f"baseline rustc --test per sample, {args.jobs} workers: {parallel:6.2f} s, "
        f"passed {parallel_passed}/{len(problems)}"
    )
    default = best[sizes[0]]
    print(
        f"speed-up of rustcoder (batch {sizes[0]}, best of {args.repeat}) over the baseline: "
        f"{serial / default:.1f}x (1 worker), {parallel / default:.1f}x ({args.jobs} workers)"
    )
    whole = statistics.median(end_to_end)
    print(
        f"speed-up of rustcoder check end to end (median) over the baseline: {serial / whole:.1f}x "
        f"(1 worker; target >= 10x: {'met' if serial / whole >= 10 else 'missed'}), "
        f"{parallel / whole:.1f}x ({args.jobs} workers)"
    )
    print(f"target <= 6 s: {'met' if default <= 6 else 'missed'} ({default:.2f} s)")


if __name__ == "__main__":
    main()
