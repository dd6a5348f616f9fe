"""`GET /api/runs...`: the evaluation runs under `rustcoder serve --runs DIR`, for the Runs page (and
any client): the table, one run's samples by problem, one sample in full."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Query

from rustcoder.serve.routers.deps import ServedDep
from rustcoder.serve.runs import RunNotFound, list_runs, run_detail, sample_detail

router = APIRouter(prefix="/api/runs")


def _root(served: ServedDep) -> Path:
    if served.settings.runs is None:
        raise RunNotFound("this server shows no runs: start it with --runs DIR")
    return served.settings.runs


@router.get("")
async def runs(served: ServedDep) -> dict[str, Any]:
    root = _root(served)
    rows = await anyio.to_thread.run_sync(list_runs, root)
    return {"root": str(root), "runs": [row.to_json() for row in rows]}


@router.get("/{name}")
async def run(name: str, served: ServedDep) -> dict[str, Any]:
    detail = await anyio.to_thread.run_sync(run_detail, _root(served), name)
    return detail.to_json()


@router.get("/{name}/sample")
async def sample(
    name: str, served: ServedDep, task_id: str = Query(min_length=1), index: int = Query(0, ge=0)
) -> dict[str, Any]:
    return await anyio.to_thread.run_sync(sample_detail, _root(served), name, task_id, index)
