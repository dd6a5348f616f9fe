"""`--executor ray`: samples executed on a real local Ray cluster give the results local execution gives."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import fixture_problems, rustcoder_cli

pytestmark = [pytest.mark.ray, pytest.mark.rustc, pytest.mark.sandbox]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def ray_cluster():
    """A two-CPU Ray head on this machine, in a process group of its own (so that stopping it stops
    every process it started, and no other cluster)."""
    port = _free_port()
    temp = Path(tempfile.mkdtemp(prefix="rcray", dir="/tmp"))  # short: Ray's socket paths are limited
    ray = Path(sys.executable).with_name("ray")
    head = subprocess.Popen(
        [str(ray), "start", "--head", "--block", f"--port={port}", "--node-ip-address=127.0.0.1",
         "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats",
         "--object-store-memory=80000000", f"--temp-dir={temp}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not list(temp.glob("session_*/sockets/raylet")):
            if head.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Ray head did not start")
            time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            head.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(head.pid, signal.SIGKILL)  # whatever did not stop on SIGTERM
        shutil.rmtree(temp, ignore_errors=True)


def test_execution_on_a_ray_cluster_matches_local_execution(tmp_path, fixtures, ray_cluster):
    bench = str(fixtures / "humanevalx_mini.jsonl")
    rows = []
    for problem in fixture_problems("humanevalx_mini.jsonl"):
        head = f"fn {problem.signature} {{"
        codes = (
            head + problem.canonical_solution,  # passes
            head + "\n    todo!()\n}\n",  # panics
            head + "\n    undefined_name\n}\n",  # does not compile (E0425)
        )
        rows += [{"task_id": problem.task_id, "sample_index": i, "solution": c} for i, c in enumerate(codes)]
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps(row) + "\n" for row in rows))
    results = {}
    for name, extra in (("local", ()), ("ray", ("--executor", "ray", "--ray-address", ray_cluster))):
        out = tmp_path / f"{name}.jsonl"
        args = ("evaluate", bench, str(samples), "--out", str(out), "--json", *extra)
        proc = rustcoder_cli(*args, timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        results[name] = {
            (r["task_id"], r["sample_index"]): (r["status"], r["reason"], r["error_codes"]) for r in lines
        }
        if name == "ray":
            environment = json.loads(proc.stdout)["run"]["environment"]
            assert environment["executor"] == "ray" and environment["rustc"].startswith("rustc 1.")
    assert results["ray"] == results["local"] and len(results["local"]) == 9
    statuses = sorted(status for status, _, _ in results["local"].values())
    assert statuses == ["compile_error"] * 3 + ["panic"] * 3 + ["passed"] * 3


def test_an_unreachable_cluster_is_a_clear_error(tmp_path, fixtures):
    bench = str(fixtures / "humanevalx_mini.jsonl")
    samples = tmp_path / "samples.jsonl"
    samples.write_text(json.dumps({"task_id": "Mini/0", "sample_index": 0, "solution": "fn x() {}"}) + "\n")
    address = f"127.0.0.1:{_free_port()}"
    proc = rustcoder_cli(
        "evaluate", bench, str(samples), "--out", str(tmp_path / "r.jsonl"),
        "--executor", "ray", "--ray-address", address, timeout=120,
    )  # fmt: skip
    assert proc.returncode != 0 and "cannot reach the Ray cluster" in proc.stderr
