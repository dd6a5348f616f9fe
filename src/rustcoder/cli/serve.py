"""`rustcoder serve`: the completion server (rustcoder.serve) on the model, with uvicorn."""

import logging
from typing import TYPE_CHECKING, Any

import typer

from rustcoder.cli.common import Verbose, handle_errors, setup_logging, stdout
from rustcoder.cli.options import Group, with_settings
from rustcoder.serve.settings import ServeSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

SERVE = Group("settings", ServeSettings, flags={"model": ("--model", "-m")})


def build(settings: ServeSettings, api_key: str | None) -> "FastAPI":
    """The app on the settings' model (loaded now)."""
    from rustcoder.backends.factory import create_backend
    from rustcoder.completion.engine import CompletionEngine, EngineSettings
    from rustcoder.errors import RustcoderError
    from rustcoder.evaluation.checks import sandbox_check
    from rustcoder.execute.engine import ExecConfig, Executor
    from rustcoder.serve.app import create_app
    from rustcoder.serve.metrics import ServerMetrics
    from rustcoder.serve.served import Served
    from rustcoder.settings import LlamaCppSettings, Settings, TransformersSettings

    options: Settings
    if settings.backend == "transformers":
        options = TransformersSettings(adapter=settings.adapter, threads=settings.threads)
    else:
        options = LlamaCppSettings(
            threads=settings.threads,
            context=settings.context,
            lora=settings.adapter,
            reuse_prefix=settings.kv_reuse,
            session_cache_mb=settings.session_cache_mb,
            lookup_draft=settings.lookup_draft,
        )
    backend = create_backend(settings.backend, settings.model, options)
    engine = CompletionEngine(
        backend,
        EngineSettings(
            context_tokens=settings.context_tokens,
            layout=settings.layout,
            cache_size=settings.cache_size,
            post_process=settings.post_process,
            middle_lines=settings.middle_lines,
            cancel_stale=settings.cancel_stale,
            hold_open=settings.fim_hold,
        ),
    )
    check = None
    try:
        check = sandbox_check(Executor(ExecConfig(jobs=1)))
    except RustcoderError as exc:  # the completion API works without it; /api/solve says why not
        logging.getLogger(__name__).warning("no sandbox, so /api/solve is off: %s", exc)
    served = Served(engine, backend, settings.model, settings, ServerMetrics(), check)
    return create_app(served, api_key)


@handle_errors
@with_settings(SERVE)
def serve_command(*, settings: ServeSettings, verbose: Verbose = False) -> None:
    """Serve code completion (llama.cpp's /infill, OpenAI's /v1/completions and /v1/chat/completions),
    /health and /metrics, until interrupted."""
    import uvicorn

    setup_logging(verbose)
    settings.check_exposure()
    api_key = settings.api_key()
    app = build(settings, api_key)
    stdout.print(
        f"rustcoder serve: {settings.model} on http://{settings.host}:{settings.port}", highlight=False
    )
    engine = app.state.served.engine

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            engine.cancel_all()  # running generations stop at their next token, so shutdown is prompt
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info" if verbose else "warning",
        timeout_graceful_shutdown=10,
    )
    Server(config).run()


def register(parent: typer.Typer) -> None:
    parent.command("serve")(serve_command)
