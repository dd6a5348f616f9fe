"""`rustcoder serve`'s settings: from the command line, or RUSTCODER_SERVE_* environment variables."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rustcoder.errors import RustcoderError
from rustcoder.types import FimLayout


class ServeError(RustcoderError):
    """The server cannot start as asked (an open address without a key, a key variable that is unset)."""


LLAMACPP_ONLY = ("context", "kv_reuse", "lookup_draft", "session_cache_mb")
"""What only the llamacpp backend does (its context size, KV-cache reuse and sessions, drafts)."""


class ServeSettings(BaseSettings):
    """What the server loads, where it listens, and the limits it enforces."""

    model_config = SettingsConfigDict(env_prefix="RUSTCODER_SERVE_", extra="forbid", frozen=True)

    model: str = Field(
        "qwen2.5-coder-0.5b-instruct",
        description="A model name, a .gguf file (transformers: or an HF folder).",
    )
    backend: Literal["llamacpp", "transformers"] = Field(
        "llamacpp",
        description="llamacpp (fast on a CPU: KV reuse, sessions, drafts) or transformers (PyTorch: any PEFT "
        "adapter, prompt tuning too; one request at a time).",
    )
    adapter: Path | None = Field(
        None,
        description="An adapter for the model: a PEFT folder (llamacpp: a LoRA, converted to GGUF once; or a "
        "GGUF file) or, with transformers, any PEFT adapter.",
    )
    host: str = Field("127.0.0.1", description="Address to bind; another than loopback needs an API key.")
    port: int = Field(8000, ge=0, le=65535)
    api_key_env: str | None = Field(
        None, description="Environment variable holding the API key every request must then carry."
    )
    threads: int = Field(0, ge=0, description="CPU threads for the model (0: one per core).")
    runs: Path | None = Field(
        None, description="A folder of evaluation runs (`rustcoder run --out` folders) for the Runs page."
    )
    context: int = Field(4096, ge=512, description="The model's context in tokens.")
    context_tokens: int = Field(1536, ge=64, description="Tokens of code a completion prompt may hold.")
    max_tokens: int = Field(512, ge=1, description="The most tokens one request may generate.")
    worker_threads: int = Field(
        256,
        ge=1,
        description="Threads for requests in flight: each waiting request holds one (a replaced one only "
        "until it sees so); requests beyond this wait for a thread before they can even be replaced.",
    )
    max_request_bytes: int = Field(2 << 20, ge=1024, description="Larger request bodies get 413.")
    layout: FimLayout = Field(FimLayout.PSM, description="psm or spm: how FIM prompts are laid out.")
    cache_size: int = Field(250, ge=0, description="Recent suggestions kept for reuse.")
    post_process: bool = Field(
        True, description="Cut and check suggestions with tree-sitter (off only to measure what it gives)."
    )
    middle_lines: int = Field(
        8,
        ge=0,
        description="Lines before the cursor, from a line whose number is a multiple of this, go after the "
        "FIM middle marker with the cursor's line, so that typing (new lines too) re-evaluates only what "
        "was typed; 1: the cursor's line only, as llama.cpp's /infill; 0: none (to measure what it gives).",
    )
    kv_reuse: bool = Field(
        True,
        description="Reuse the previous prompt's KV cache for the tokens a request shares with it (off "
        "only to measure what it gives).",
    )
    lookup_draft: int = Field(
        0,
        ge=0,
        le=64,
        description="Greedy completions draft up to N tokens from the context by prompt lookup and keep "
        "them as far as the model agrees: several tokens per decode where the text repeats (0: off).",
    )
    session_cache_mb: int = Field(
        1024,
        ge=0,
        description="MiB of KV caches kept for clients other than the one being served, so that each "
        "resumes its own prompt when its turn comes (0: none, to measure what it gives).",
    )
    fim_hold: bool = Field(
        False,
        description="A multi-line suggestion may not end (the model's end token) while a bracket it opened "
        "is open: for a model tuned to stop by itself (rustcoder tune, FIM), which may stop a brace short.",
    )
    cancel_stale: bool = Field(
        True,
        description="A client's newer request, or its disconnect, cancels its older one (off only to "
        "measure what it gives).",
    )

    @model_validator(mode="after")
    def _llamacpp_only(self) -> ServeSettings:
        """Refuse llama.cpp's own settings with the transformers backend, rather than ignore them."""
        if self.backend == "transformers":
            given = [
                name for name in LLAMACPP_ONLY if getattr(self, name) != type(self).model_fields[name].default
            ]
            if given:
                flags = ", ".join(f"--{name.replace('_', '-')}" for name in given)
                raise ValueError(f"{flags}: llama.cpp settings, not for --backend transformers")
        return self

    @classmethod
    def parse(cls, values: dict[str, Any], *, where: str = "") -> ServeSettings:
        """Settings from command-line values: a value left at its default gives way to the
        RUSTCODER_SERVE_* environment; SettingsError naming each bad field."""
        from rustcoder.settings import SettingsError

        given = {
            k: v for k, v in values.items() if k not in cls.model_fields or v != cls.model_fields[k].default
        }
        try:
            return cls(**given)
        except ValidationError as exc:
            problems = "; ".join(
                f"{where}{'.'.join(str(p) for p in error['loc']) or '(settings)'}: {error['msg']}"
                for error in exc.errors()
            )
            raise SettingsError(f"invalid serve settings: {problems}") from None

    def api_key(self) -> str | None:
        """The key from `api_key_env`; ServeError if that variable is named but empty."""
        if self.api_key_env is None:
            return None
        key = os.environ.get(self.api_key_env, "")
        if not key:
            raise ServeError(f"--api-key-env {self.api_key_env}: that environment variable is not set")
        return key

    def check_exposure(self) -> None:
        """Refuse to listen beyond loopback without an API key."""
        try:
            loopback = ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            loopback = self.host == "localhost"
        if not loopback and self.api_key_env is None:
            raise ServeError(
                f"refusing to listen on {self.host} without an API key: set one with --api-key-env VAR "
                "(every request must then send Authorization: Bearer KEY), or bind 127.0.0.1"
            )
