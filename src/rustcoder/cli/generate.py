"""`rustcoder generate BENCH --model M --strategy S --out SAMPLES.jsonl`: samples only (resumable)."""

from pathlib import Path
from typing import Annotated

import typer

from rustcoder.backends.factory import BackendOptions
from rustcoder.cli.common import NoPatches, Verbose, handle_errors, progress_bar, setup_logging, stdout
from rustcoder.cli.modelopts import BACKEND, JOB, SAMPLING, open_backend, pick_strategy, select
from rustcoder.cli.options import with_settings
from rustcoder.settings import GenerationJob, Sampling


@handle_errors
@with_settings(JOB, SAMPLING, BACKEND)
def generate_command(
    bench: Annotated[str, typer.Argument(help="A benchmark name or a benchmark file.")],
    *,
    out: Annotated[Path, typer.Option("--out", "-o", help="Samples file (.jsonl); appended to, resumable.")],
    job: GenerationJob,
    sampling: Sampling,
    backend: BackendOptions,
    no_patches: NoPatches = False,
    verbose: Verbose = False,
) -> None:
    """Generate samples with a model and a prompting strategy (no evaluation; see `rustcoder run`)."""
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.generation.generate import generate
    from rustcoder.generation.manifest import RunManifest
    from rustcoder.prompting.base import MultiTurn

    setup_logging(verbose)
    benchmark = load_benchmark(bench, patches=not no_patches)
    problems = select(benchmark.problems, job)
    chosen = pick_strategy(job, problems)
    engine = open_backend(job, backend)
    check = None
    if isinstance(chosen, MultiTurn):
        from rustcoder.evaluation.checks import sandbox_check
        from rustcoder.execute.engine import ExecConfig, Executor

        check = sandbox_check(Executor(ExecConfig(jobs=1)))
    meta = out.with_name(out.name.removesuffix(".jsonl") + ".meta.json")
    manifest = RunManifest.describe(benchmark, problems, engine, chosen, sampling)
    if meta.exists() and out.exists():
        manifest.resuming(meta)  # a resume must not mix samples made otherwise
    manifest.write(meta)
    with progress_bar(f"generating {benchmark.name} with {chosen.name}") as progress:
        made = generate(engine, chosen, problems, sampling, out, progress, check)
    stdout.print(
        f"{made} samples generated; {out} holds {len(problems) * sampling.n}; settings in {meta}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_command)
