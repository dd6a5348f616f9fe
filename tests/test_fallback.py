"""The `unshare` fallback sandbox, for machines without bubblewrap."""

import os
import shutil

import pytest

from rustcoder.errors import SandboxUnavailableError
from rustcoder.execute.engine import ExecConfig, Executor
from rustcoder.execute.sandbox import Limits, Sandbox, SandboxKind, _accessible_to_others
from rustcoder.types import Sample, Status
from tests.conftest import fixture_problems

pytestmark = [pytest.mark.sandbox, pytest.mark.skipif(not shutil.which("unshare"), reason="needs unshare")]


def test_unshare_fallback_runs_python_samples(monkeypatch, run_samples):
    monkeypatch.setenv("RUSTCODER_SANDBOX", "unshare")
    engine = Executor(ExecConfig(jobs=1, limits=Limits(wall_seconds=2.0, memory_bytes=512 << 20)))
    total = fixture_problems("humaneval_python_mini.jsonl")[0]
    bodies = [
        "    return sum(xs)\n",
        "    return 0\n",
        "    while True:\n        pass\n",
        "    import socket\n    socket.create_connection(('127.0.0.1', 22), timeout=1)\n    return sum(xs)\n",
        "    import os\n    assert os.getuid() != 0, 'ran as root'\n    return sum(xs)\n",
    ]
    results = run_samples(
        [(total, Sample(total.task_id, i, completion=b)) for i, b in enumerate(bodies)], engine
    )
    statuses = [results[f"{total.task_id}/{i}"].status for i in range(len(bodies))]
    assert statuses[:3] == [Status.PASSED, Status.TEST_FAILURE, Status.TIMEOUT]
    assert statuses[3] is Status.PANIC  # no network: the connection fails
    assert statuses[4] is Status.PASSED, results[f"{total.task_id}/4"].reason
    assert engine._sandbox is not None and engine._sandbox.kind is SandboxKind.UNSHARE


def test_a_bubblewrap_that_cannot_start_falls_back_to_unshare(monkeypatch, tmp_path):
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    monkeypatch.delenv("RUSTCODER_SANDBOX", raising=False)
    assert Sandbox().kind is SandboxKind.UNSHARE
    with pytest.raises(SandboxUnavailableError, match="No permissions to create new namespace"):
        Sandbox(kind=SandboxKind.BWRAP)


def test_unknown_sandbox_kind_is_refused(monkeypatch):
    monkeypatch.setenv("RUSTCODER_SANDBOX", "none")
    with pytest.raises(SandboxUnavailableError, match="there is no unsandboxed mode"):
        Sandbox()


@pytest.mark.rustc
def test_fallback_refuses_a_toolchain_the_sandbox_uid_cannot_read():
    from rustcoder.execute.toolchain import load_toolchain

    sysroot = load_toolchain().sysroot
    if os.geteuid() != 0 or _accessible_to_others(sysroot):
        pytest.skip("the toolchain is readable by the sandbox uid here")
    with pytest.raises(SandboxUnavailableError, match="install bubblewrap"):
        Sandbox([sysroot], kind=SandboxKind.UNSHARE)
