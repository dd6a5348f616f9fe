"""`rustcoder models`: the named models, where their weights come from, whether they are here."""

from typing import Any

import typer

from rustcoder.cli.common import AsJson, handle_errors, print_json, stdout


@handle_errors
def models_command(as_json: AsJson = False) -> None:
    """List the named models and whether each is already downloaded and verified here."""
    from rich.table import Table

    from rustcoder.models.fetch import cached_path
    from rustcoder.models.registry import BUILTIN, DEFAULT_MODEL

    rows: list[dict[str, Any]] = []
    for spec in BUILTIN:
        path = cached_path(spec)
        sources = ([f"hub {spec.hub_repo}"] if spec.hub_repo else []) + [
            f"PyPI {spec.parts[0].package}..{spec.parts[-1].package}"
            if len(spec.parts) > 1
            else f"PyPI {spec.parts[0].package}"
        ]
        rows.append(
            {
                "name": spec.name,
                "default": spec.name == DEFAULT_MODEL,
                "description": spec.description,
                "bytes": spec.size,
                "sha256": spec.sha256,
                "sources": sources,
                "here": str(path) if path.exists() else None,
            }
        )
    if as_json:
        print_json(rows)
        return
    table = Table("name", "size", "sources", "here")
    for row in rows:
        here = "yes (verified when loaded)" if row["here"] else "not yet (fetched on first use)"
        name = row["name"] + (" [default]" if row["default"] else "")
        table.add_row(name, f"{row['bytes'] / 1e6:.0f} MB", ", ".join(row["sources"]), here)
    stdout.print(table)
    stdout.print("Any local .gguf file or Hugging Face model directory also works as --model.")


def register(app: typer.Typer) -> None:
    app.command("models")(models_command)
