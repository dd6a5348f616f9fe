"""`rustcoder evaluate BENCH SAMPLES.jsonl`: execute samples in the sandbox and score them (resumable)."""

from pathlib import Path
from typing import Annotated

import typer

from rustcoder.cli.common import (
    AsJson,
    NoPatches,
    OutPath,
    Verbose,
    handle_errors,
    parse_ks,
    print_json,
    print_summary,
    progress_bar,
    setup_logging,
    stderr,
)
from rustcoder.cli.modelopts import EXECUTION
from rustcoder.cli.options import with_settings
from rustcoder.settings import Execution


def default_out(samples: Path) -> Path:
    stem = samples.name.removesuffix(".gz").removesuffix(".jsonl")
    return samples.with_name(stem + ".results.jsonl")


@handle_errors
@with_settings(EXECUTION)
def evaluate_command(
    bench: Annotated[
        str, typer.Argument(help="A benchmark name (see `rustcoder benchmarks`) or a benchmark file.")
    ],
    samples: Annotated[Path, typer.Argument(help="JSONL: task_id plus completion or solution per line.")],
    *,
    execution: Execution,
    out: OutPath = None,
    k: Annotated[
        str, typer.Option("--k", help="pass@k values, comma-separated (kept where n allows).")
    ] = "1,10,100",
    as_json: AsJson = False,
    overwrite: Annotated[
        bool, typer.Option(help="Discard existing results in --out instead of resuming.")
    ] = False,
    no_patches: NoPatches = False,
    verbose: Verbose = False,
) -> None:
    """Execute every sample against the benchmark's hidden tests and report pass@k and why samples failed.

    Results are appended as they land: run the same command again to resume an interrupted run.
    """
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.evaluation.run import evaluate
    from rustcoder.evaluation.samples import load_samples
    from rustcoder.paths import sha256_file

    setup_logging(verbose)
    ks = parse_ks(k)
    benchmark = load_benchmark(bench, patches=not no_patches)
    sample_set = load_samples(samples, {p.task_id for p in benchmark.problems})
    for warning in sample_set.warnings:
        stderr.print(f"warning: {warning}", highlight=False)
    out = out or default_out(samples)
    origin = {"path": str(samples), "sha256": sha256_file(samples)}
    with progress_bar(f"evaluating {benchmark.name}") as progress:
        summary = evaluate(
            benchmark,
            sample_set,
            out,
            config=execution.config(),
            ks=ks,
            overwrite=overwrite,
            samples_origin=origin,
            progress=progress,
        )
    if as_json:
        print_json(summary.to_json())
    else:
        print_summary(summary)


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_command)
