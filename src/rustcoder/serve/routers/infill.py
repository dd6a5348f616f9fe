"""`POST /infill`, as llama.cpp's server answers it (llama.vim, llama.vscode)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from rustcoder.backends.fim import ContextFile
from rustcoder.completion.request import Completion, CompletionRequest
from rustcoder.serve.bridge import complete
from rustcoder.serve.llama_schemas import InfillRequest, InfillResponse, Timings
from rustcoder.serve.routers.deps import ServedDep, client_of

router = APIRouter()


def _per(count: int, ms: float) -> tuple[float, float]:
    """(ms per token, tokens per second)."""
    return (ms / count if count else 0.0), (1000.0 * count / ms if ms > 0 else 0.0)


def infill_response(done: Completion, model: str) -> InfillResponse:
    evaluated = max(0, done.prompt_tokens - done.cached_tokens)
    prompt_per_token, prompt_per_second = _per(evaluated, done.prompt_ms)
    predicted_per_token, predicted_per_second = _per(done.tokens, done.predicted_ms)
    return InfillResponse(
        content=done.text,
        model=model,
        stop_type=done.stop_type.value,
        stopping_word=done.stopping_word,
        tokens_cached=done.cached_tokens,
        tokens_evaluated=done.prompt_tokens,
        truncated=done.truncated,
        timings=Timings(
            cache_n=done.cached_tokens,
            prompt_n=evaluated,
            prompt_ms=done.prompt_ms,
            prompt_per_token_ms=round(prompt_per_token, 3),
            prompt_per_second=round(prompt_per_second, 2),
            predicted_n=done.tokens,
            predicted_ms=done.predicted_ms,
            predicted_per_token_ms=round(predicted_per_token, 3),
            predicted_per_second=round(predicted_per_second, 2),
        ),
    )


@router.post("/infill")
async def infill(body: InfillRequest, request: Request, served: ServedDep) -> JSONResponse:
    """Fill the gap between `input_prefix` + `prompt` and `input_suffix`; `n_predict: 0` only warms
    the cache with the context."""
    limit = served.settings.max_tokens
    wanted = limit if body.n_predict < 0 else min(body.n_predict, limit)
    completion_request = CompletionRequest(
        prefix=body.input_prefix + body.prompt,
        suffix=body.input_suffix,
        files=tuple(ContextFile(chunk.filename, chunk.text) for chunk in body.input_extra),
        max_tokens=wanted,
        temperature=body.temperature,
        top_p=body.top_p,
        stop=tuple(body.stop),
        time_budget_ms=body.t_max_predict_ms,
        warm_only=wanted == 0,
        client=client_of(request, "slot", body.id_slot),
    )
    started = time.perf_counter()
    done = await complete(request, served.engine, completion_request)
    kind = "warm" if completion_request.warm_only else ""
    served.metrics.completion("/infill", done, time.perf_counter() - started, kind)
    answer = infill_response(done, served.model_name)
    return JSONResponse(answer.fields(body.response_fields))
