"""`rustcoder models`: the named models, where their weights come from, whether they are here."""

from typing import Annotated, Any

import typer

from rustcoder.cli.common import AsJson, handle_errors, print_json, stderr, stdout
from rustcoder.cli.tables import Column, print_table
from rustcoder.errors import RustcoderError

Fetch = Annotated[
    list[str] | None,
    typer.Option("--fetch", help="Download (or assemble) and verify this named model now; repeatable."),
]


@handle_errors
def models_command(fetch: Fetch = None, as_json: AsJson = False) -> None:
    """List the named models and whether each is already downloaded and verified here."""
    from rustcoder.models.fetch import cached_path, resolve_model
    from rustcoder.models.registry import BUILTIN, DEFAULT_MODEL, builtin_models

    for name in fetch or []:
        if name not in builtin_models():
            raise RustcoderError(f"unknown model {name!r}; named models: {', '.join(builtin_models())}")
        resolved = resolve_model(name)
        stderr.print(f"{name}: {resolved.path} (sha256 verified)", highlight=False, soft_wrap=True)

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
    columns = [
        Column("name", keep=True),
        Column("default"),
        Column("size", keep=True, justify="right"),
        Column("sources", keep=True),
        Column("here", keep=True),
    ]
    cells = [
        [
            row["name"],
            "yes" if row["default"] else "",
            f"{row['bytes'] / 1e6:.0f} MB",
            ", ".join(row["sources"]),
            row["here"] or "not yet (fetched on first use)",
        ]
        for row in rows
    ]
    print_table(stdout, columns, cells)
    stdout.print("Any local .gguf file or Hugging Face model directory also works as --model.")


def register(app: typer.Typer) -> None:
    app.command("models")(models_command)
