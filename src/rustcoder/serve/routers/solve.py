"""`POST /api/solve`: a task in words (and optional example tests) → Rust code from the repair strategy,
compiled and tested in the sandbox, with the diagnostics and every feedback round."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from rustcoder.errors import SandboxUnavailableError
from rustcoder.generation.solve import SolveTask, solve
from rustcoder.serve.routers.deps import ServedDep

router = APIRouter(prefix="/api")


class SolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=20000)
    signature: str = Field("", max_length=2000, description="e.g. `fn add(a: i32, b: i32) -> i32`")
    tests: str = Field("", max_length=50000, description="`#[test]` functions or a tests module.")
    rounds: int = Field(3, ge=0, le=8)
    max_tokens: int = Field(768, ge=16, le=4096)


@router.post("/solve")
async def solve_route(body: SolveRequest, served: ServedDep) -> dict[str, Any]:
    if served.check is None:
        raise SandboxUnavailableError("this server has no sandbox to check code in")
    check = served.check
    task = SolveTask(body.description, body.signature, body.tests, body.rounds, body.max_tokens)
    done = await anyio.to_thread.run_sync(lambda: solve(served.backend, check, task))
    result = done.result
    return {
        "code": done.code,
        "status": result.status.value,
        "passed": result.passed,
        "reason": result.reason,
        "error_codes": result.error_codes,
        "diagnostics": result.compile_output,
        "tests_total": result.tests_total,
        "tests_passed": result.tests_passed,
        "rounds": list(done.rounds),
        "attempts": done.attempts,
        "gen_seconds": round(done.gen_seconds, 3),
    }
