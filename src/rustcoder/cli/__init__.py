"""rustcoder's command line: one small module per command."""

import typer

from rustcoder.cli import (
    benchmarks,
    check,
    data,
    evaluate,
    generate,
    models,
    report,
    run,
    select,
    serve,
    setup,
    tune,
)  # fmt: skip


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="rustcoder",
        help="Evaluate, improve and serve small local models that write Rust.",
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    for module in (
        setup,
        benchmarks,
        models,
        check,
        evaluate,
        generate,
        run,
        select,
        report,
        data,
        serve,
        tune,
    ):
        module.register(app)
    return app


def main() -> None:
    build_app()()
