"""`rustcoder generate BENCH --model M --strategy S --out SAMPLES.jsonl`: samples only (resumable)."""

from pathlib import Path
from typing import Annotated

import typer

from rustcoder.cli.common import NoPatches, Verbose, handle_errors, progress_bar, setup_logging, stdout
from rustcoder.cli.modelopts import (
    DEFAULTS,
    ApiKeyEnv,
    Attempts,
    BackendKind,
    BaseUrl,
    Concurrency,
    Context,
    Limit,
    LoopSpan,
    Lora,
    MaxTokens,
    Model,
    Rounds,
    Samples,
    Strategy,
    Temperature,
    Threads,
    open_backend,
    pick_strategy,
    select,
)


@handle_errors
def generate_command(
    bench: Annotated[str, typer.Argument(help="A benchmark name or a benchmark file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Samples file (.jsonl); appended to, resumable.")],
    model: Model = DEFAULTS["model"],
    strategy: Strategy = DEFAULTS["strategy"],
    n: Samples = 1,
    temperature: Temperature = 0.0,
    attempts: Attempts = 0,
    rounds: Rounds = 3,
    limit: Limit = 0,
    max_tokens: MaxTokens = 768,
    loop_span: LoopSpan = 256,
    backend: BackendKind = DEFAULTS["backend"],
    threads: Threads = 0,
    context: Context = 4096,
    lora: Lora = None,
    base_url: BaseUrl = None,
    api_key_env: ApiKeyEnv = "OPENAI_API_KEY",
    concurrency: Concurrency = 4,
    no_patches: NoPatches = False,
    verbose: Verbose = False,
) -> None:
    """Generate samples with a model and a prompting strategy (no evaluation; see `rustcoder run`)."""
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.generation.generate import Sampling, generate
    from rustcoder.prompting.base import MultiTurn

    setup_logging(verbose)
    benchmark = load_benchmark(bench, patches=not no_patches)
    problems = select(benchmark.problems, limit)
    chosen = pick_strategy(strategy, problems, rounds)
    engine = open_backend(model, backend, threads, context, lora, base_url, api_key_env, concurrency)
    sampling = Sampling(
        n=n, temperature=temperature, attempts=attempts, max_tokens=max_tokens, loop_span=loop_span
    )
    check = None
    if isinstance(chosen, MultiTurn):
        from rustcoder.evaluation.checks import sandbox_check
        from rustcoder.execute.engine import ExecConfig, Executor

        check = sandbox_check(Executor(ExecConfig(jobs=1)))
    from rustcoder.generation.run import describe_run, same_settings
    from rustcoder.jsonl import write_json

    meta = out.with_name(out.name.removesuffix(".jsonl") + ".meta.json")
    info = describe_run(benchmark, problems, engine, chosen, sampling)
    if meta.exists() and out.exists():
        same_settings(meta, info)  # a resume must not mix samples made otherwise
    write_json(meta, info)
    with progress_bar(f"generating {benchmark.name} with {chosen.name}") as progress:
        made = generate(engine, chosen, problems, sampling, out, progress, check)
    stdout.print(
        f"{made} samples generated; {out} holds {len(problems) * n}; settings in {meta}", highlight=False
    )


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_command)
