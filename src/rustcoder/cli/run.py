"""`rustcoder run BENCH --model M --strategy S --out RUN_DIR`: generate, evaluate, report (resumable)."""

from pathlib import Path
from typing import Annotated

import typer

from rustcoder.backends.factory import BackendOptions
from rustcoder.cli.common import (
    AsJson,
    NoPatches,
    Verbose,
    handle_errors,
    print_json,
    print_summary,
    progress_bar,
    setup_logging,
    stdout,
)
from rustcoder.cli.modelopts import BACKEND, EXECUTION, JOB, SAMPLING, open_backend, pick_strategy, select
from rustcoder.cli.options import with_settings
from rustcoder.selection import Method
from rustcoder.settings import Execution, GenerationJob, Sampling


@handle_errors
@with_settings(JOB, SAMPLING, BACKEND, EXECUTION)
def run_command(
    bench: Annotated[str, typer.Argument(help="A benchmark name or a benchmark file.")],
    *,
    out: Annotated[Path, typer.Option("--out", "-o", help="Run directory; run again to resume.")],
    job: GenerationJob,
    sampling: Sampling,
    backend: BackendOptions,
    execution: Execution,
    choose: Annotated[
        Method | None,
        typer.Option(
            "--select",
            help="Then choose one of each problem's samples without the hidden tests (compile, examples) "
            "and score it: RUN_DIR/select-METHOD.",
        ),
    ] = None,
    as_json: AsJson = False,
    no_patches: NoPatches = False,
    verbose: Verbose = False,
) -> None:
    """Generate samples, execute them in the sandbox and write RUN_DIR/report; RUN_DIR/run.json records
    everything that produced the result."""
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.generation.run import run

    setup_logging(verbose)
    benchmark = load_benchmark(bench, patches=not no_patches)
    problems = benchmark.problems
    if backend.adapter is not None:
        from rustcoder.tuning.record import trained_problems

        trained = set(trained_problems(backend.adapter, benchmark.sha256))
        if trained:
            problems = [p for p in problems if p.task_id not in trained]
            benchmark.notes.append(
                f"{len(trained)} problems left out: the adapter {backend.adapter} was trained on their "
                "reference solutions (its train_split)"
            )
            stdout.print(benchmark.notes[-1], highlight=False)
    problems = select(problems, job)
    chosen = pick_strategy(job, problems)
    engine = open_backend(job, backend)
    with progress_bar(f"generating ({chosen.name})") as gen, progress_bar("evaluating") as ev:
        summary = run(
            benchmark,
            problems,
            engine,
            chosen,
            sampling,
            out,
            config=execution.config(),
            generation_progress=gen,
            evaluation_progress=ev,
        )
    if choose is not None:
        from rustcoder.selection import select_run

        chosen_summary = select_run(out, choose, execution.config())
        stdout.print(
            f"raw samples pass@k {summary.pass_at_k}; one chosen by {choose.value}: pass@1 "
            f"{chosen_summary.pass_at_k.get('1')} ({out / f'select-{choose.value}'})",
            highlight=False,
        )
    if as_json:
        print_json(summary.to_json())
    else:
        print_summary(summary)
        stdout.print(f"report: {out / 'report' / 'report.html'}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
