"""Options shared by the commands that generate: model, backend, strategy and sampling."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rustcoder.models.registry import DEFAULT_MODEL
from rustcoder.types import Problem

if TYPE_CHECKING:
    from rustcoder.backends.base import Backend
    from rustcoder.prompting.base import Strategy as PromptStrategy

Model = Annotated[
    str,
    typer.Option(
        "--model",
        "-m",
        help="A model name (see `rustcoder models`), a .gguf file, a model directory, or a served model id.",
    ),
]
BackendKind = Annotated[str, typer.Option("--backend", help="llamacpp, transformers, openai, fake, or auto.")]
Strategy = Annotated[
    str,
    typer.Option(
        "--strategy",
        "-s",
        help="instruct, delimited, one-shot, alpaca, completion, repair, or auto (delimited for Rust, "
        "instruct otherwise).",
    ),
]
Samples = Annotated[int, typer.Option("-n", min=1, help="Samples per problem.")]
Rounds = Annotated[int, typer.Option(min=1, help="Feedback rounds for the repair strategy.")]
Temperature = Annotated[
    float, typer.Option(min=0.0, help="Sampling temperature of the first attempt (0: greedy).")
]
Attempts = Annotated[
    int, typer.Option(min=0, help="Attempts until the output is well-formed (0: the strategy's default).")
]
Limit = Annotated[int, typer.Option(min=0, help="Only the first L problems (0: all).")]
MaxTokens = Annotated[int, typer.Option(min=1, help="Tokens to generate per attempt.")]
LoopSpan = Annotated[
    int,
    typer.Option(
        min=0, help="End an output once its last N characters repeat one piece of up to 32 (0: never)."
    ),
]
Threads = Annotated[int, typer.Option(min=0, help="llama.cpp threads (0: one per core).")]
Context = Annotated[int, typer.Option(min=256, help="Context size in tokens.")]
Lora = Annotated[
    Path | None, typer.Option(help="A LoRA adapter (GGUF for llamacpp, PEFT directory for transformers).")
]
BaseUrl = Annotated[
    str | None, typer.Option(help="An OpenAI-compatible server, e.g. http://localhost:8000/v1.")
]
ApiKeyEnv = Annotated[str, typer.Option(help="Environment variable holding the API key.")]
Concurrency = Annotated[int, typer.Option(min=1, help="Requests in flight (openai backend).")]

DEFAULTS = {"model": DEFAULT_MODEL, "backend": "auto", "strategy": "auto"}


def open_backend(
    model: str,
    backend: str,
    threads: int,
    context: int,
    lora: Path | None,
    base_url: str | None,
    api_key_env: str,
    concurrency: int,
) -> "Backend":
    from rustcoder.backends.factory import BackendSettings, create_backend

    settings = BackendSettings(
        threads=threads,
        context=context,
        lora=lora,
        base_url=base_url,
        api_key_env=api_key_env,
        concurrency=concurrency,
    )
    return create_backend(backend, model, settings)


def pick_strategy(name: str, problems: list[Problem], rounds: int = 3) -> "PromptStrategy":
    from rustcoder.errors import RustcoderError
    from rustcoder.prompting.registry import STRATEGY_NAMES, strategy_named

    try:
        return strategy_named(name, rounds=rounds, languages={p.language for p in problems})
    except KeyError:
        raise RustcoderError(
            f"unknown strategy {name!r}; choose one of {', '.join(STRATEGY_NAMES)}"
        ) from None


def select(problems: list[Problem], limit: int) -> list[Problem]:
    return problems[:limit] if limit else problems
