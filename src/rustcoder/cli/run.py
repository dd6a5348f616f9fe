"""`rustcoder run BENCH --model M --strategy S --out RUN_DIR`: generate, evaluate, report (resumable)."""

from pathlib import Path
from typing import Annotated

import typer

from rustcoder.cli.common import (
    AsJson,
    BatchSize,
    Jobs,
    MemoryMiB,
    NoPatches,
    Timeout,
    Verbose,
    exec_config,
    handle_errors,
    print_json,
    print_summary,
    progress_bar,
    setup_logging,
    stdout,
)
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
from rustcoder.execute.engine import DEFAULT_BATCH_SIZE


@handle_errors
def run_command(
    bench: Annotated[str, typer.Argument(help="A benchmark name or a benchmark file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run directory; run again to resume.")],
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
    jobs: Jobs = 0,
    batch_size: BatchSize = DEFAULT_BATCH_SIZE,
    timeout: Timeout = 10.0,
    memory_mib: MemoryMiB = 1024,
    as_json: AsJson = False,
    no_patches: NoPatches = False,
    verbose: Verbose = False,
) -> None:
    """Generate samples, execute them in the sandbox and write RUN_DIR/report; RUN_DIR/run.json records
    everything that produced the result."""
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.generation.generate import Sampling
    from rustcoder.generation.run import run

    setup_logging(verbose)
    benchmark = load_benchmark(bench, patches=not no_patches)
    problems = select(benchmark.problems, limit)
    chosen = pick_strategy(strategy, problems, rounds)
    engine = open_backend(model, backend, threads, context, lora, base_url, api_key_env, concurrency)
    sampling = Sampling(
        n=n, temperature=temperature, attempts=attempts, max_tokens=max_tokens, loop_span=loop_span
    )
    config = exec_config(jobs, batch_size, timeout, memory_mib)
    with progress_bar(f"generating ({chosen.name})") as gen, progress_bar("evaluating") as ev:
        document = run(
            benchmark,
            problems,
            engine,
            chosen,
            sampling,
            out,
            config=config,
            generation_progress=gen,
            evaluation_progress=ev,
        )
    if as_json:
        print_json(document)
    else:
        print_summary(document)
        stdout.print(f"report: {out / 'report' / 'report.html'}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
