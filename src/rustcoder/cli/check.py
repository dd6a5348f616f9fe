"""`rustcoder check BENCH`: run the reference solutions; exit 0 only if all that should pass do."""

import dataclasses
import tempfile
from pathlib import Path

import typer

from rustcoder.cli.common import (
    AsJson,
    NoPatches,
    OutPath,
    Verbose,
    handle_errors,
    print_json,
    print_summary,
    progress_bar,
    setup_logging,
    stdout,
)
from rustcoder.cli.modelopts import EXECUTION
from rustcoder.cli.options import with_settings
from rustcoder.settings import Execution


@handle_errors
@with_settings(EXECUTION)
def check_command(
    bench: str = typer.Argument(help="A benchmark name or a benchmark file."),
    *,
    execution: Execution,
    out: OutPath = None,
    as_json: AsJson = False,
    no_patches: NoPatches = False,
    verbose: Verbose = False,
) -> None:
    """Execute every reference solution. Failures of tasks with a known data defect are listed, not fatal."""
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.evaluation.run import evaluate, reference_samples
    from rustcoder.evaluation.verdict import check_verdict

    setup_logging(verbose)
    benchmark = load_benchmark(bench, patches=not no_patches)
    samples = reference_samples(benchmark)
    config = execution.config()
    with tempfile.TemporaryDirectory(prefix="rustcoder-check-") as tmp:
        results = out or Path(tmp) / "results.jsonl"
        with progress_bar(f"checking {benchmark.name}") as progress:
            summary = evaluate(benchmark, samples, results, config=config, overwrite=True, progress=progress)
        if out is None and summary.run is not None:
            summary.run = dataclasses.replace(summary.run, results=None)  # the temporary file is gone
    verdict = check_verdict(summary.per_problem, benchmark.excused)
    summary.check = verdict.as_dict()
    if as_json:
        print_json(summary.to_json())
    else:
        print_summary(summary)
        for task in sorted([*verdict.failures, *verdict.excused_failures]):
            reason = summary.per_problem[task].statuses
            note = " (known defect)" if task in verdict.excused_failures else ""
            stdout.print(f"FAIL {task}{note}: {reason}", highlight=False)
        stdout.print("all reference solutions that should pass do" if verdict.ok else "check failed")
    if not verdict.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
