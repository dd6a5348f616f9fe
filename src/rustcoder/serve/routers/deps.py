"""What handlers are given: the served engine and friends, and who the client is."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from rustcoder.serve.served import Served


def served(request: Request) -> Served:
    value: Served = request.app.state.served
    return value


ServedDep = Annotated[Served, Depends(served)]


def client_of(request: Request, *parts: object) -> str:
    """Who sends a request, for cancelling its older one: an `X-Client-Id` header when the client sends
    one, else its address and the request's own marks (llama.cpp's `id_slot`, OpenAI's `user`)."""
    given = request.headers.get("x-client-id")
    if given:
        return given
    host = request.client.host if request.client else "?"
    return ":".join([host, *(str(p) for p in parts)])
