"""`rustcoder data mine SRC... --out DIR`: training data from real crates (see rustcoder.data.mine)."""

from pathlib import Path
from typing import Annotated

import typer

from rustcoder.cli.common import Verbose, handle_errors, progress_bar, setup_logging, stdout

app = typer.Typer(help="Mine training data from real Rust crates.", no_args_is_help=True)


@app.command("mine")
@handle_errors
def mine_command(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(help="Directories or checkouts to mine (default: /usr/share/cargo/registry)."),
    ] = None,
    *,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory (replaced whole at the end).")],
    seed: Annotated[int, typer.Option(help="Seed of the split and of the FIM spans.")] = 0,
    include_tests: Annotated[bool, typer.Option(help="Mine test functions and test files too.")] = False,
    include_unknown: Annotated[
        bool, typer.Option(help="Also mine crates whose licence is unknown (never copyleft).")
    ] = False,
    decontaminate: Annotated[
        list[Path] | None,
        typer.Option("--decontaminate", help="Another benchmark file to decontaminate against."),
    ] = None,
    bench_per_kind: Annotated[
        int, typer.Option(min=0, help="Tasks of each FIM kind in fim/test-bench.jsonl, from the test split.")
    ] = 100,
    model: Annotated[
        str | None, typer.Option(help="Render FIM texts with this model's FIM tokens (a name or a .gguf).")
    ] = None,
    verbose: Verbose = False,
) -> None:
    """Crates → licences → functions → deduplication → decontamination → FIM and instruction examples,
    split by crate, with a datasheet."""
    from rustcoder.benchmarks import all_specs, load_benchmark
    from rustcoder.data.crates import DEBIAN_REGISTRY
    from rustcoder.data.licences import Verdict
    from rustcoder.data.mine import mine
    from rustcoder.data.report import MineSettings
    from rustcoder.errors import DataUnavailableError, ModelError

    setup_logging(verbose)
    benchmarks = []
    for name in all_specs():
        try:
            benchmarks.append((name, load_benchmark(name).problems))
        except DataUnavailableError as exc:
            stdout.print(f"decontamination: {name} not available here ({exc}); not checked", highlight=False)
    for path in decontaminate or []:
        benchmarks.append((str(path), load_benchmark(str(path)).problems))
    tokens = None
    if model is not None:
        from rustcoder.backends.llamacpp import LlamaCppBackend
        from rustcoder.models.fetch import resolve_model

        tokens = LlamaCppBackend(resolve_model(model)).fim
        if tokens is None:
            raise ModelError(f"{model} has no fill-in-the-middle tokens to render examples with")
    licences = frozenset({Verdict.PERMISSIVE, *([Verdict.UNKNOWN] if include_unknown else [])})
    settings = MineSettings(
        include_tests=include_tests, seed=seed, licences=licences, bench_per_kind=bench_per_kind
    )
    with progress_bar("mining crates") as progress:
        report = mine(
            sources or [DEBIAN_REGISTRY],
            out,
            benchmarks=benchmarks,
            settings=settings,
            fim_tokens=tokens,
            progress=progress,
        )
    examples = sum(sum(kinds.values()) for kinds in report.fim_examples.values())
    stdout.print(
        f"{report.crates} crates, {report.functions} functions, {report.kept} kept after "
        f"{report.exact_duplicates} exact and {report.near_duplicates} near duplicates and "
        f"{len(report.contaminated)} contaminated; {examples} FIM examples, "
        f"{sum(report.instructions.values())} instructions; datasheet: {out / 'datasheet.md'}",
        highlight=False,
    )


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="data")
