"""The app factory: routers, API-key check, request limits, and errors as 4xx answers with a message."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rustcoder.errors import RequestError, RustcoderError
from rustcoder.serve.served import Served

log = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health", "/v1/health", "/"})
"""Answered without the API key (health checks carry none; the UI's page and bundle hold no data, and
the page asks for the key before it calls the API)."""
OPEN_PREFIXES = ("/assets/",)


def _error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    """One shape for every error, readable by llama.cpp and OpenAI clients alike."""
    return JSONResponse({"error": {"code": status, "message": message, "type": kind}}, status_code=status)


class BodyLimit:
    """Answers 413 to a body over `limit` bytes, declared or streamed, before a handler reads it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _error(413, f"request body over {self.limit} bytes")(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _error(413, f"request body over {self.limit} bytes")(scope, receive, send)


class _TooLarge(Exception):
    pass


def create_app(served: Served, api_key: str | None = None) -> FastAPI:
    """The server's app; with `api_key`, every request but the health check needs `Bearer KEY`."""
    from rustcoder.serve.routers import health, infill, openai, runs, solve, tabby
    from rustcoder.serve.routers.ui import mount_ui
    from rustcoder.serve.runs import RunNotFound

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = served.settings.worker_threads
        yield
        served.engine.cancel_all()  # whatever still runs at shutdown stops at its next token

    app = FastAPI(title="rustcoder", version="0.1.0", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.served = served
    for router in (health.router, infill.router, openai.router, tabby.router, solve.router, runs.router):
        app.include_router(router)

    @app.middleware("http")
    async def authorise(request: Request, call_next: Any) -> Any:
        path = request.url.path
        if api_key is not None and path not in OPEN_PATHS and not path.startswith(OPEN_PREFIXES):
            given = request.headers.get("authorization", "")
            expected = f"Bearer {api_key}"
            if not hmac.compare_digest(given.encode(), expected.encode()):
                served.metrics.errors.labels(request.url.path, "401").inc()
                return _error(401, "missing or wrong API key (send Authorization: Bearer KEY)", "auth_error")
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'][1:]) or 'body'}: {error['msg']}"
            for error in exc.errors()
        )
        served.metrics.errors.labels(request.url.path, "400").inc()
        return _error(400, problems or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        served.metrics.errors.labels("(no route)", str(exc.status_code)).inc()  # not one label per path
        message = f"no such path: {request.url.path}" if exc.status_code == 404 else str(exc.detail)
        return _error(exc.status_code, message, "not_found_error" if exc.status_code == 404 else "http_error")

    @app.exception_handler(RustcoderError)
    async def refused(request: Request, exc: RustcoderError) -> JSONResponse:
        if isinstance(exc, RunNotFound):
            status, kind = 404, "not_found_error"
        elif isinstance(exc, RequestError):  # (context overflow is a RequestError)
            status, kind = 400, "invalid_request_error"
        else:
            status, kind = 503, "server_error"
        served.metrics.errors.labels(request.url.path, str(status)).inc()
        return _error(status, str(exc), kind)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s failed", request.url.path)
        served.metrics.errors.labels(request.url.path, "500").inc()
        return _error(500, f"internal error: {type(exc).__name__}", "server_error")

    mount_ui(app, served.settings.runs)
    app.add_middleware(BodyLimit, limit=served.settings.max_request_bytes)
    return app
