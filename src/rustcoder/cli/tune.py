"""`rustcoder tune prompt|lora|self CONFIG.yaml [--set key=value ...]` and `rustcoder tune export ADAPTER`."""

from pathlib import Path
from typing import Annotated

import typer

from rustcoder.cli.common import Verbose, handle_errors, setup_logging, stdout

app = typer.Typer(help="Tune a model for Rust: prompt tuning, LoRA, compiler-verified self-training.")

Config = Annotated[Path, typer.Argument(help="A YAML recipe (see configs/).")]
Sets = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override one setting: key=value, dotted for sections (train.max_steps=10)."),
]


def _tune(method: str, config_path: Path, sets: list[str] | None, verbose: bool) -> None:
    from rustcoder.tuning.config import load_config

    setup_logging(verbose)
    config = load_config(config_path, sets or [], method=method)  # type: ignore[arg-type]
    if config.method == "self":
        from rustcoder.tuning.selftrain import self_train

        adapter = self_train(config)
    else:
        from rustcoder.tuning.train import train

        adapter = train(config)
    stdout.print(f"adapter: {adapter}", highlight=False)


@app.command("prompt")
@handle_errors
def prompt_command(config: Config, sets: Sets = None, verbose: Verbose = False) -> None:
    """PEFT prompt tuning: trainable virtual tokens before every prompt."""
    _tune("prompt", config, sets, verbose)


@app.command("lora")
@handle_errors
def lora_command(config: Config, sets: Sets = None, verbose: Verbose = False) -> None:
    """LoRA on mined instructions, FIM examples (PSM / SPM) or both."""
    _tune("lora", config, sets, verbose)


@app.command("self")
@handle_errors
def self_command(config: Config, sets: Sets = None, verbose: Verbose = False) -> None:
    """Compiler-verified self-training: the model's own answers that rustc accepts, trained on with LoRA."""
    _tune("self", config, sets, verbose)


@app.command("export")
@handle_errors
def export_command(
    adapter: Annotated[Path, typer.Argument(help="An adapter folder made by `rustcoder tune lora|self`.")],
    out: Annotated[Path | None, typer.Option(help="The GGUF file (default: ADAPTER/adapter.gguf).")] = None,
    verbose: Verbose = False,
) -> None:
    """Convert a LoRA adapter to GGUF for llama.cpp (`--adapter` of the llamacpp backend)."""
    from rustcoder.models.lora import export_adapter

    setup_logging(verbose)
    stdout.print(f"wrote {export_adapter(adapter, out)}", highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="tune")
