"""`rustcoder run BENCH --model M --strategy S --out RUN_DIR`: generate, evaluate, report (resumable)."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from rustcoder.errors import RustcoderError
from rustcoder.selection import Method
from rustcoder.settings import Execution, GenerationJob, Sampling

if TYPE_CHECKING:
    from rustcoder.backends.base import Backend
    from rustcoder.benchmarks import Benchmark
    from rustcoder.metrics.summary import Summary
    from rustcoder.prompting.base import Strategy
    from rustcoder.types import Problem


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
            help="Then choose one of each problem's samples without the hidden tests (compile, examples, "
            "self-tests, agreement) "
            "and score it: RUN_DIR/select-METHOD.",
        ),
    ] = None,
    variants: Annotated[
        str | None,
        typer.Option(
            "--prompt-variants",
            help="Run once per instruction wording (comma-separated names, or all) into RUN_DIR/VARIANT, "
            "then compare them: RUN_DIR/variants.md (pass@1 of each, spread, per-problem stability). A "
            "wording that asks what an earlier one asks on every problem is not run again.",
        ),
    ] = None,
    as_json: AsJson = False,
    no_patches: NoPatches = False,
    verbose: Verbose = False,
) -> None:
    """Generate samples, execute them in the sandbox and write RUN_DIR/report; RUN_DIR/run.json records
    everything that produced the result."""
    from rustcoder.benchmarks import load_benchmark

    setup_logging(verbose)
    benchmark = load_benchmark(bench, patches=not no_patches)
    problems = benchmark.problems
    if backend.adapter is not None:
        from rustcoder.tuning.record import trained_problems

        ids = [p.task_id for p in problems]
        trained = set(trained_problems(backend.adapter, benchmark.sha256, benchmark.name, ids))
        if trained:
            problems = [p for p in problems if p.task_id not in trained]
            benchmark.notes.append(
                f"{len(trained)} problems left out: the adapter {backend.adapter} was trained on their "
                "reference solutions, or on those of the same HumanEval problems (its train_split)"
            )
            stdout.print(benchmark.notes[-1], highlight=False)
    problems = select(problems, job)
    if variants is not None:
        if choose is not None:
            raise RustcoderError("--select goes with one run: select in each variant's folder afterwards")
        _run_variants(benchmark, problems, job, sampling, backend, execution, out, variants, as_json)
        return
    chosen = pick_strategy(job, problems)
    engine = open_backend(job, backend)
    summary = _run_one(benchmark, problems, engine, chosen, sampling, execution, out)
    if choose is not None:
        from rustcoder.selection.run import select_run

        chosen_summary = select_run(out, choose, execution.config(), backend=engine)
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


def _run_one(
    benchmark: "Benchmark",
    problems: list["Problem"],
    engine: "Backend",
    strategy: "Strategy",
    sampling: Sampling,
    execution: Execution,
    out: Path,
) -> "Summary":
    from rustcoder.generation.run import run

    with progress_bar(f"generating ({strategy.name})") as gen, progress_bar("evaluating") as ev:
        return run(
            benchmark,
            problems,
            engine,
            strategy,
            sampling,
            out,
            config=execution.config(),
            generation_progress=gen,
            evaluation_progress=ev,
        )


def _run_variants(
    benchmark: "Benchmark",
    problems: list["Problem"],
    job: GenerationJob,
    sampling: Sampling,
    backend: BackendOptions,
    execution: Execution,
    out: Path,
    names: str,
    as_json: bool,
) -> None:
    """One resumable run per variant in OUT/VARIANT, then their comparison and a joint report."""
    from rustcoder.metrics.report import load_runs, write_report
    from rustcoder.metrics.variants import compare_variants, write_comparison
    from rustcoder.prompting.variants import VARIANTS, repeats

    wanted = list(VARIANTS) if names.strip() == "all" else [n.strip() for n in names.split(",") if n.strip()]
    if len(set(wanted)) < 2:
        raise RustcoderError("--prompt-variants needs at least two different variants (or all)")
    strategies = {name: pick_strategy(job, problems, name) for name in dict.fromkeys(wanted)}
    twins = repeats(strategies, problems)
    if len(strategies) - len(twins) < 2:
        raise RustcoderError(
            f"--prompt-variants {names}: on these problems every wording asks what another does "
            f"({', '.join(f'{a} = {b}' for a, b in twins.items())}); nothing to compare"
        )
    engine = open_backend(job, backend)
    summaries = {}
    for name, strategy in strategies.items():
        if name in twins:
            twin = twins[name]
            stdout.print(f"variant {name}: asks what {twin} asks on every problem; not run", highlight=False)
            continue
        stdout.print(f"variant {name}", highlight=False)
        summaries[name] = _run_one(benchmark, problems, engine, strategy, sampling, execution, out / name)
    comparison = compare_variants(summaries, twins)
    _, md_path = write_comparison(comparison, out)
    write_report(load_runs([out / name for name in summaries]), out / "report")
    if as_json:
        print_json(comparison.to_json())
    else:
        stdout.print(md_path.read_text(encoding="utf-8"), highlight=False)
        stdout.print(f"comparison: {md_path}; report: {out / 'report' / 'report.html'}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
