"""Open a backend by name, with its own typed settings. Names map lazily to "module:function", so
importing rustcoder never imports llama_cpp or torch; other packages add backends through the
`rustcoder.backends` entry-point group (their factory is called with the model and a dict of options).

The commands' backend flags are one flat set (`BackendOptions`); `BackendOptions.resolve` turns them
into the chosen backend's settings and refuses a flag the chosen backend does not take (`--adapter` with
`openai`), rather than ignoring it.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import Field

from rustcoder.backends.base import Backend
from rustcoder.errors import BackendError, ModelError
from rustcoder.settings import (
    PARALLEL,
    FakeSettings,
    LlamaCppSettings,
    OpenAISettings,
    Settings,
    SettingsError,
    TransformersSettings,
)

BUILTIN = {
    "llamacpp": "rustcoder.backends.factory:_llamacpp",
    "openai": "rustcoder.backends.factory:_openai",
    "transformers": "rustcoder.backends.factory:_transformers",
    "fake": "rustcoder.backends.factory:_fake",
}
SETTINGS: dict[str, type[Settings]] = {
    "llamacpp": LlamaCppSettings,
    "openai": OpenAISettings,
    "transformers": TransformersSettings,
    "fake": FakeSettings,
}


class BackendOptions(Settings):
    """The backend flags of `generate` and `run`; each backend takes the ones it has."""

    backend: str = Field("auto", description="llamacpp, transformers, openai, fake, or auto.")
    threads: int = Field(0, ge=0, description="CPU threads (llamacpp, transformers; 0: one per core).")
    context: int = Field(4096, ge=256, description="Context size in tokens (llamacpp).")
    parallel: int = Field(
        PARALLEL,
        ge=1,
        le=64,
        description="Samples of one prompt (-n) decoded together (llamacpp; 1: one by one).",
    )
    adapter: Path | None = Field(
        None,
        description="A PEFT adapter folder (`rustcoder tune`; llamacpp converts a LoRA to GGUF once) or a "
        "LoRA GGUF file (llamacpp).",
    )
    device: str = Field("auto", description="Where transformers runs: auto, cpu, cuda, cuda:1 ...")
    base_url: str | None = Field(
        None, description="An OpenAI-compatible server, e.g. http://localhost:8000/v1."
    )
    api_key_env: str = Field(
        "OPENAI_API_KEY", description="Environment variable holding the API key (openai)."
    )
    concurrency: int = Field(4, ge=1, description="Requests in flight (openai).")

    def kind(self, model: str) -> str:
        """`auto`: an OpenAI-compatible server if a base URL is given, transformers for a model
        directory, else llama.cpp."""
        if self.backend != "auto":
            return self.backend
        if self.base_url:
            return "openai"
        if Path(model).is_dir():
            return "transformers"
        return "llamacpp"

    def resolve(self, model: str) -> tuple[str, Settings | dict[str, Any]]:
        """The backend to open and its settings; SettingsError for a flag it does not take."""
        kind = self.kind(model)
        values = {name: getattr(self, name) for name in type(self).model_fields if name != "backend"}
        given = {name for name, value in values.items() if value != type(self).model_fields[name].default}
        if kind not in SETTINGS:
            return kind, {name: values[name] for name in given}  # a plug-in: it reads what it knows
        takes = _TAKES[kind]
        refused = sorted(given - set(takes))
        if refused:
            flags = ", ".join("--" + name.replace("_", "-") for name in refused)
            accepted = ", ".join("--" + name.replace("_", "-") for name in takes) or "no backend flags"
            raise SettingsError(f"{flags} does not apply to the {kind} backend (it takes {accepted})")
        if kind == "openai" and not self.base_url:
            raise SettingsError("the openai backend needs --base-url (e.g. http://localhost:8000/v1)")
        mapped = {field: values[flag] for flag, field in takes.items()}
        return kind, SETTINGS[kind].parse(mapped)


_TAKES: dict[str, dict[str, str]] = {
    "llamacpp": {"threads": "threads", "context": "context", "adapter": "lora", "parallel": "parallel"},
    "transformers": {"threads": "threads", "adapter": "adapter", "device": "device"},
    "openai": {"base_url": "base_url", "api_key_env": "api_key_env", "concurrency": "concurrency"},
    "fake": {},
}
"""Which flag of BackendOptions becomes which field of each built-in backend's settings."""


def _llamacpp(model: str, settings: LlamaCppSettings) -> Backend:
    from rustcoder.backends.llamacpp import LlamaCppBackend
    from rustcoder.models.fetch import resolve_model

    if settings.lora is not None and not settings.lora.exists():
        raise ModelError(f"{settings.lora}: no such LoRA adapter (a PEFT adapter folder or a GGUF file)")
    if settings.lora is not None and settings.lora.is_dir():  # a PEFT folder: its GGUF, made once
        from rustcoder.models.lora import gguf_adapter

        settings = settings.model_copy(update={"lora": gguf_adapter(settings.lora)})
    return LlamaCppBackend(resolve_model(model), settings)


def _openai(model: str, settings: OpenAISettings) -> Backend:
    from rustcoder.backends.openai_compat import OpenAICompatBackend

    return OpenAICompatBackend(model, settings)


def _transformers(model: str, settings: TransformersSettings) -> Backend:
    from rustcoder.backends.transformers_backend import TransformersBackend
    from rustcoder.models.fetch import resolve_model

    return TransformersBackend(resolve_model(model), settings)


def _fake(model: str, settings: FakeSettings) -> Backend:
    from rustcoder.backends.fake import FakeBackend

    return FakeBackend()


def available() -> dict[str, str]:
    """Backend names and where they come from."""
    found = dict(BUILTIN)
    for point in entry_points(group="rustcoder.backends"):
        found.setdefault(point.name, point.value)
    return found


def create_backend(kind: str, model: str, settings: Settings | dict[str, Any] | None = None) -> Backend:
    """Open backend `kind` on `model` with its settings (its defaults when None; a built-in backend given
    another backend's settings is an error). `auto`: openai for OpenAISettings, else as
    `BackendOptions.kind` decides from the model."""
    if kind == "auto":
        kind = "openai" if isinstance(settings, OpenAISettings) else BackendOptions().kind(model)
    target = available().get(kind)
    if target is None:
        raise BackendError(f"unknown backend {kind!r}; choose one of {', '.join(sorted(available()))}")
    expected = SETTINGS.get(kind)
    if expected is not None:
        if settings is None or isinstance(settings, dict):
            settings = expected.parse(settings or {}, where=f"{kind}.")
        elif not isinstance(settings, expected):
            raise SettingsError(
                f"the {kind} backend takes {expected.__name__}, not {type(settings).__name__}"
            )
    module, _, function = target.partition(":")
    factory: Any = getattr(importlib.import_module(module), function)
    backend: Backend = factory(model, settings)
    return backend
