"""Tabby's completion API: its clients `POST /v1/completions` with `segments` (prefix, suffix, the
file's path, declarations and snippets from other files), also served at `/v1/tabby/completions`, and
`POST /v1/events` (accepted and ignored). The segments map onto the same engine as every other API."""

from __future__ import annotations

import time
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from rustcoder.backends.fim import ContextFile
from rustcoder.completion.request import CompletionRequest
from rustcoder.serve.bridge import complete
from rustcoder.serve.routers.deps import ServedDep, client_of
from rustcoder.serve.served import Served

router = APIRouter(prefix="/v1")


class Snippet(BaseModel):
    model_config = ConfigDict(extra="ignore")

    filepath: str = ""
    body: str


class Segments(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prefix: str
    suffix: str | None = None
    filepath: str | None = None
    declarations: list[Snippet] = Field(default_factory=list)
    relevant_snippets_from_changed_files: list[Snippet] = Field(default_factory=list)
    relevant_snippets_from_recently_opened_files: list[Snippet] = Field(default_factory=list)
    clipboard: str | None = None


class TabbyRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    language: str | None = None
    segments: Segments
    user: str | None = None
    temperature: float | None = Field(None, ge=0.0)


async def tabby_complete(body: TabbyRequest, request: Request, served: Served) -> dict[str, Any]:
    segments = body.segments
    snippets = [
        *segments.declarations,
        *segments.relevant_snippets_from_changed_files,
        *segments.relevant_snippets_from_recently_opened_files,
    ]
    job = CompletionRequest(
        prefix=segments.prefix,
        suffix=segments.suffix or "",
        files=tuple(ContextFile(s.filepath, s.body) for s in snippets),
        path=segments.filepath or "",
        max_tokens=min(128, served.settings.max_tokens),
        temperature=body.temperature or 0.0,
        client=client_of(request, "tabby", body.user or ""),
    )
    started = time.perf_counter()
    done = await complete(request, served.engine, job)
    served.metrics.completion("/v1/tabby/completions", done, time.perf_counter() - started)
    return {"id": f"cmpl-{uuid.uuid4().hex}", "choices": [{"index": 0, "text": done.text}]}


@router.post("/tabby/completions")
async def completions(body: TabbyRequest, request: Request, served: ServedDep) -> dict[str, Any]:
    return await tabby_complete(body, request, served)


@router.post("/events")
def events() -> Response:
    """Tabby clients report what the user did with a suggestion; nothing is kept."""
    return Response(status_code=200)
