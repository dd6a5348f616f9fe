"""`GET /health` (llama.cpp's and Tabby's path) and `GET /metrics` (Prometheus)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from rustcoder.serve.routers.deps import ServedDep

router = APIRouter()


@router.get("/health")
@router.get("/v1/health")
def health(served: ServedDep) -> dict[str, str]:
    return {"status": "ok", "model": served.model_name}


@router.get("/metrics")
def metrics(served: ServedDep) -> Response:
    return Response(served.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
