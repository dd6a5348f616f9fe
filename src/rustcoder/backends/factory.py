"""Open a backend by name. Names map lazily to "module:function", so importing rustcoder never imports
llama_cpp or torch; other packages add backends through the `rustcoder.backends` entry-point group."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from rustcoder.backends.base import Backend
from rustcoder.errors import BackendError

BUILTIN = {
    "llamacpp": "rustcoder.backends.factory:_llamacpp",
    "openai": "rustcoder.backends.factory:_openai",
    "transformers": "rustcoder.backends.factory:_transformers",
    "fake": "rustcoder.backends.factory:_fake",
}


@dataclass(frozen=True, slots=True)
class BackendSettings:
    """Every backend's knobs in one place; each backend reads the ones it has."""

    threads: int = 0
    context: int = 4096
    lora: Path | None = None
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = 4
    request_timeout: float = 300.0
    retries: int = 5
    device: str = "auto"


def _llamacpp(model: str, settings: BackendSettings) -> Backend:
    from rustcoder.backends.llamacpp import LlamaCppBackend, LlamaCppOptions
    from rustcoder.models.fetch import resolve_model

    options = LlamaCppOptions(threads=settings.threads, context=settings.context, lora=settings.lora)
    return LlamaCppBackend(resolve_model(model), options)


def _openai(model: str, settings: BackendSettings) -> Backend:
    from rustcoder.backends.openai_compat import OpenAICompatBackend

    if not settings.base_url:
        raise BackendError("the openai backend needs --base-url (e.g. http://localhost:8000/v1)")
    return OpenAICompatBackend(
        model,
        settings.base_url,
        api_key_env=settings.api_key_env,
        concurrency=settings.concurrency,
        retries=settings.retries,
        timeout=settings.request_timeout,
    )


def _transformers(model: str, settings: BackendSettings) -> Backend:
    from rustcoder.backends.transformers_backend import TransformersBackend, TransformersOptions
    from rustcoder.models.fetch import resolve_model

    options = TransformersOptions(device=settings.device, adapter=settings.lora, threads=settings.threads)
    return TransformersBackend(resolve_model(model), options)


def _fake(model: str, settings: BackendSettings) -> Backend:
    from rustcoder.backends.fake import FakeBackend

    return FakeBackend()


def available() -> dict[str, str]:
    """Backend names and where they come from."""
    found = dict(BUILTIN)
    for point in entry_points(group="rustcoder.backends"):
        found.setdefault(point.name, point.value)
    return found


def choose(kind: str, model: str, settings: BackendSettings) -> str:
    """`auto`: an OpenAI-compatible server if a base URL is given, transformers for a model directory,
    else llama.cpp."""
    if kind != "auto":
        return kind
    if settings.base_url:
        return "openai"
    if Path(model).is_dir():
        return "transformers"
    return "llamacpp"


def create_backend(kind: str, model: str, settings: BackendSettings | None = None) -> Backend:
    settings = settings or BackendSettings()
    name = choose(kind, model, settings)
    target = available().get(name)
    if target is None:
        raise BackendError(f"unknown backend {name!r}; choose one of {', '.join(sorted(available()))}")
    module, _, function = target.partition(":")
    factory: Any = getattr(importlib.import_module(module), function)
    backend: Backend = factory(model, settings)
    return backend
