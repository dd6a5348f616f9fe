"""llama.cpp server's `/infill` request and answer, as llama.vim and llama.vscode send and read them.

Unknown fields are accepted and ignored, as llama.cpp's server does: plugins send options
(`n_indent`, `t_max_prompt_ms`, `samplers` ...) that a server may not act on.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ExtraChunk(BaseModel):
    model_config = ConfigDict(extra="ignore")

    filename: str = ""
    text: str


class InfillRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    input_prefix: str = ""
    input_suffix: str = ""
    input_extra: list[ExtraChunk] = Field(default_factory=list)
    prompt: str = ""
    """Text after the prefix up to the cursor (llama.vim sends the cursor's line here)."""
    n_predict: int = Field(128, ge=-1)
    """Tokens to generate; 0 only evaluates the context into the cache; -1: the server's limit."""
    t_max_predict_ms: int | None = Field(None, ge=0)
    cache_prompt: bool = True
    temperature: float = Field(0.0, ge=0.0)
    top_k: int = 40
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    samplers: list[str] | None = None
    stop: list[str] = Field(default_factory=list)
    id_slot: int = -1
    stream: bool = False
    response_fields: list[str] | None = None


class Timings(BaseModel):
    cache_n: int
    prompt_n: int
    prompt_ms: float
    prompt_per_token_ms: float
    prompt_per_second: float
    predicted_n: int
    predicted_ms: float
    predicted_per_token_ms: float
    predicted_per_second: float


class InfillResponse(BaseModel):
    content: str
    tokens: list[int] = Field(default_factory=list)
    model: str
    stop: bool = True
    stop_type: str
    stopping_word: str
    tokens_cached: int
    tokens_evaluated: int
    truncated: bool
    timings: Timings

    def fields(self, names: list[str] | None) -> dict[str, Any]:
        """The whole answer, or only `names` (paths like `timings/prompt_n`, flat, as llama.cpp does)."""
        whole = self.model_dump()
        if not names:
            return whole
        out: dict[str, Any] = {}
        for name in names:
            value: Any = whole
            for part in name.split("/"):
                value = value.get(part) if isinstance(value, dict) else None
            if value is not None:
                out[name] = value
        return out
