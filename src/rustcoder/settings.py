"""Typed settings, one model per concern, validated where they enter (CLI, YAML, a server's request).

Each model defines its defaults once, names a bad field in its error, and rejects unknown keys. The
commands' options are made from these fields (`rustcoder.cli.options`), so `generate` and `run` cannot
drift apart, and the tuning recipes and the server read the same models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rustcoder.errors import RustcoderError
from rustcoder.execute.engine import DEFAULT_BATCH_SIZE, ExecConfig
from rustcoder.execute.sandbox import Limits
from rustcoder.types import FimLayout


class SettingsError(RustcoderError):
    """Settings that do not validate: the message names each bad field."""


class Settings(BaseModel):
    """Frozen, strict about unknown keys, validated on construction."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @classmethod
    def parse(cls, values: dict[str, Any], *, where: str = "") -> Any:
        """Validate `values`; SettingsError naming each bad field (prefixed with `where`)."""
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{where}{'.'.join(str(p) for p in error['loc']) or '(settings)'}: {error['msg']}"
                for error in exc.errors()
            )
            raise SettingsError(f"invalid {cls.__name__}: {problems}") from None


class GenerationJob(Settings):
    """What generates: the model, the prompting strategy, and which problems."""

    model: str = Field(
        description="A model name (see `rustcoder models`), a .gguf file, a model directory, or a served "
        "model id."
    )
    strategy: str = Field(
        "auto",
        description="instruct, delimited, one-shot, alpaca, completion, repair, fim, or auto (delimited "
        "for Rust, instruct otherwise).",
    )
    rounds: int = Field(3, ge=1, description="Feedback rounds for the repair strategy.")
    fim_layout: FimLayout = Field(FimLayout.PSM, description="psm or spm, for the fim strategy.")
    fim_hold: bool = Field(
        False,
        description="fim: the model may not end a multi-line middle while a bracket it opened is open (its "
        "end token is masked; local backends).",
    )
    prompt_variant: str = Field(
        "exact",
        description="The instruction's wording: exact (the benchmark's text), fn, indented, fn-indented, "
        "code-block or system (see rustcoder.prompting.variants).",
    )
    limit: int = Field(0, ge=0, description="Only the first L problems (0: all).")


class Sampling(Settings):
    """How to sample: how many per problem, temperature, attempts until well-formed, token budget."""

    n: int = Field(1, ge=1, description="Samples per problem.")
    temperature: float = Field(
        0.0, ge=0.0, description="Sampling temperature of the first attempt (0: greedy)."
    )
    attempts: int = Field(
        0, ge=0, description="Attempts until the output is well-formed (0: the strategy's default)."
    )
    max_tokens: int = Field(768, ge=1, description="Tokens to generate per attempt.")
    seed: int = Field(0, description="Seed of the first attempt; later samples and attempts derive theirs.")
    backend_retries: int = Field(3, ge=1, description="Calls to a failing backend before a sample fails.")
    loop_span: int = Field(
        256,
        ge=0,
        description="End an output once its last N characters repeat one piece of up to 32 (0: never); "
        "a runaway would otherwise run to max_tokens and fail all the same.",
    )


PARALLEL = 16
"""Samples of one prompt decoded together by default: `-n 10` in one call of 10 rather than 8 then 2,
which gave 2.41x the one-by-one tokens/s against 2.03x (docs/benchmarks.md)."""


class LlamaCppSettings(Settings):
    """llama-cpp-python on a GGUF file."""

    threads: int = Field(0, ge=0, description="CPU threads (0: one per core).")
    context: int = Field(4096, ge=256, description="Context size in tokens.")
    batch: int = Field(512, ge=1, description="Prompt tokens evaluated per llama.cpp batch.")
    lora: Path | None = Field(
        None, description="A LoRA adapter: a GGUF file, or a PEFT folder (converted to GGUF once)."
    )
    seed: int = 0
    reuse_prefix: bool = Field(
        True,
        description="Keep the previous prompt's KV cache and evaluate only what differs (off only to "
        "measure what it gives).",
    )
    parallel: int = Field(
        PARALLEL,
        ge=1,
        le=64,
        description="Samples of one prompt (-n) decoded together as parallel sequences sharing the "
        "prompt's KV cache (1: one after another, as before).",
    )
    parallel_context: int = Field(
        16384, ge=512, description="Context of the parallel sequences together: prompt + N × max tokens."
    )
    lookup_draft: int = Field(
        0,
        ge=0,
        le=64,
        description="Greedy requests draft up to N tokens by prompt lookup (the tokens that followed the "
        "last n-gram earlier in the prompt or output), kept as far as the model agrees (0: off).",
    )
    session_cache_mb: int = Field(
        1024,
        ge=0,
        description="MiB for the KV caches of sessions other than the one being served (a server's "
        "clients): a client whose turn comes after another's resumes its own prompt (0: none).",
    )


class TransformersSettings(Settings):
    """PyTorch through transformers, with PEFT adapters."""

    device: str = Field("auto", description="auto (CUDA when available, else CPU), cpu, cuda, cuda:1 ...")
    adapter: Path | None = Field(None, description="A PEFT adapter directory (LoRA, prompt tuning ...).")
    threads: int = Field(0, ge=0, description="CPU threads for torch (0: torch's default).")


class OpenAISettings(Settings):
    """Any OpenAI-compatible server."""

    base_url: str = Field(description="The server, e.g. http://localhost:8000/v1.")
    api_key_env: str = Field("OPENAI_API_KEY", description="Environment variable holding the API key.")
    concurrency: int = Field(4, ge=1, description="Requests in flight.")
    request_timeout: float = Field(300.0, gt=0, description="Seconds a request may take.")
    retries: int = Field(5, ge=0, description="Retries of a failed request, with backoff (by the client).")


class FakeSettings(Settings):
    """The deterministic fake backend takes no settings."""


_LIMITS = Limits()


class Execution(Settings):
    """How samples are executed: parallelism, batching and per-sample limits (defaults: the executor's)."""

    jobs: int = Field(0, ge=0, description="Batches run at once (0: one per CPU core).")
    batch_size: int = Field(
        DEFAULT_BATCH_SIZE, ge=1, description="Rust samples compiled together in one crate."
    )
    timeout: float = Field(_LIMITS.wall_seconds, ge=0.1, description="Seconds each sample's tests may run.")
    memory_mib: int = Field(
        _LIMITS.memory_bytes >> 20, ge=16, description="Address-space limit per test process, in MiB."
    )

    executor: Literal["local", "ray"] = Field(
        "local", description="local (this machine) or ray (batches on a Ray cluster's workers)."
    )
    ray_address: str = Field(
        "auto",
        description="The Ray cluster for --executor ray: auto (RAY_ADDRESS, or the one `ray start` made "
        "here), HOST:PORT, or ray://HOST:PORT.",
    )

    def config(self) -> ExecConfig:
        limits = Limits(wall_seconds=self.timeout, memory_bytes=self.memory_mib << 20)
        address = self.ray_address if self.executor == "ray" else None
        return ExecConfig(jobs=self.jobs, batch_size=self.batch_size, limits=limits, ray_address=address)
