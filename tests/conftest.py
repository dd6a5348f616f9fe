"""Shared fixtures: fixture files, the real toolchain and sandbox, a helper to execute code, and the tiny
model with the data and configs that tuning tests train it on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rustcoder.backends.base import GenRequest
from rustcoder.backends.fake import FakeBackend
from rustcoder.benchmarks.formats import load_problems
from rustcoder.execute.assemble import assemble
from rustcoder.execute.engine import ExecConfig, Executor
from rustcoder.execute.sandbox import Limits
from rustcoder.types import ExecResult, Problem, Sample

FIXTURES = Path(__file__).parent / "fixtures"
SUM_OK = "fn sum_all(xs: Vec<i64>) -> i64 {\n    xs.iter().sum()\n}\n"
"""A correct solution of the fixtures' first problem (Mini/0)."""


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def fixture_problems(name: str) -> list[Problem]:
    return load_problems(FIXTURES / name)[1]


CLI = [sys.executable, "-m", "rustcoder"]
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def benchmark_modules(*names: str) -> list[Any]:
    """Modules of benchmarks/ (scripts that import each other by name), imported for a test."""
    import importlib

    sys.path.insert(0, str(BENCHMARKS))
    try:
        return [importlib.import_module(name) for name in names]
    finally:
        sys.path.remove(str(BENCHMARKS))


def sandbox_processes() -> list[int]:
    """Processes still running in a sandbox: under a sandbox uid (as root, samples run as
    DEFAULT_UID_BASE + slot), or, for any user, carrying the sandbox's environment marker."""
    from rustcoder.execute.sandbox import DEFAULT_UID_BASE

    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            uid = entry.stat().st_uid
            marked = b"RUSTCODER_SANDBOXED=1" in (entry / "environ").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            marked, uid = False, -1
        if DEFAULT_UID_BASE <= uid < DEFAULT_UID_BASE + 64 or marked:
            found.append(int(entry.name))
    return found


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, poll: float = 0.02) -> bool:
    """Whether `condition` came true within `timeout` seconds (checked every `poll` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True


def rustcoder_cli(
    *args: str, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`rustcoder ARGS` as a user runs it: a real process, its output captured; `env` adds variables."""
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env} if env else None,
    )


@pytest.fixture(scope="session")
def executor() -> Executor:
    """One executor (real toolchain, real sandbox) for the session, with short limits."""
    return Executor(ExecConfig(jobs=2, batch_size=8, limits=Limits(wall_seconds=3.0, memory_bytes=512 << 20)))


Run = Callable[..., dict[str, ExecResult]]


@pytest.fixture(scope="session")
def run_samples(executor: Executor) -> Run:
    """Execute (problem, sample) pairs; returns results keyed by `task_id/index`."""

    def run(pairs: list[tuple[Problem, Sample]], engine: Executor | None = None) -> dict[str, ExecResult]:
        programs = [assemble(p, s, f"{s.task_id}/{s.index}") for p, s in pairs]
        results: dict[str, ExecResult] = {}
        (engine or executor).execute(programs, lambda key, result: results.__setitem__(key, result))
        assert len(results) == len(programs)
        return results

    return run


# A tiny random-weight Qwen2 model with the real Qwen2.5-Coder tokenizer (chat template, FIM tokens), built
# in code once and cached, so that tuning runs end to end in seconds.
TINY_TOKENIZER_FROM = "qwen2.5-coder-0.5b-instruct"


def tiny_model_dir() -> Path:
    from rustcoder.paths import build_once, cache_dir

    def build(staging: Path) -> None:
        import torch
        from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

        from rustcoder.models.fetch import resolve_model

        gguf = resolve_model(TINY_TOKENIZER_FROM).path
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        config = Qwen2Config(
            vocab_size=len(tokenizer),
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=2048,
            tie_word_embeddings=True,
            eos_token_id=tokenizer.eos_token_id,
            bos_token_id=tokenizer.bos_token_id,
        )
        torch.manual_seed(0)
        Qwen2ForCausalLM(config).save_pretrained(staging)
        tokenizer.save_pretrained(staging)

    return build_once(cache_dir() / "test-models" / "tiny-qwen2", "config.json", build)


def make_client(answers: Any, api_key: str | None = None, **settings: Any) -> tuple[Any, Any]:
    """The server app in process (Starlette's test client) on the fake backend: (client, backend)."""
    from starlette.testclient import TestClient

    from rustcoder.backends.fake import FakeBackend
    from rustcoder.completion.engine import CompletionEngine
    from rustcoder.serve.app import create_app
    from rustcoder.serve.metrics import ServerMetrics
    from rustcoder.serve.served import Served
    from rustcoder.serve.settings import ServeSettings

    backend = FakeBackend(answers)
    engine = CompletionEngine(backend)
    served = Served(engine, backend, "fake-model", ServeSettings(**settings), ServerMetrics())
    return TestClient(create_app(served, api_key)), backend


def fake_runs(root: Path) -> Path:
    """Two real run folders under `root`, made by `rustcoder run` with the fake backend on the one-problem
    HumanEval-X fixture (strategies delimited and completion)."""
    bench = Path(__file__).parent / "fixtures" / "humaneval_rust_mini.jsonl"
    for strategy in ("delimited", "completion"):
        proc = rustcoder_cli(
            "run", str(bench), "--backend", "fake", "--model", "fake", "--strategy", strategy,
            "--out", str(root / f"mini-{strategy}"), timeout=600,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
    return root


@contextmanager
def serve_process(*args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """A real `rustcoder serve` process (uvicorn) on a free port with `args`: its base URL, until the
    block ends (then interrupted, as a user stops it)."""
    from rustcoder.serve.probe import free_port, wait_for_http

    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", timeout=180)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def choices(run: Path, method: str = "compile") -> list[dict[str, Any]]:
    """What `rustcoder select` (or `run --select`) recorded for a run folder."""
    import json

    lines = (run / f"select-{method}" / "selection.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


@dataclass(frozen=True)
class Shorter:
    """An end hold (backends.base.EndHold): the text may not end before `chars` characters."""

    chars: int
    name: str = "shorter"

    def __call__(self, text: str) -> bool:
        return len(text) < self.chars


# Tuning data and configs: a few mined rows of each kind and a config that trains the tiny model briefly.
INSTRUCTION = {
    "id": "demo-0.1/src/lib.rs:1/instruction",
    "instruction": "Write a Rust function `fn double(x: i32) -> i32` to solve the following problem:\n"
    "Twice x.",
    "input": "",
    "output": "fn double(x: i32) -> i32 {\n    x * 2\n}",
}
FIM = {
    "task_id": "demo/fim/1",
    "kind": "line",
    "prefix": "fn f() -> i32 {\n    ",
    "middle": "1 + 1",
    "suffix": "\n}\n",
}


def write_mined(root: Path, instructions: int = 12, fims: int = 12) -> Path:
    """A `data mine` output folder with copies of INSTRUCTION and FIM in both splits."""
    for kind, row, count in (("instructions", INSTRUCTION, instructions), ("fim", FIM, fims)):
        (root / kind).mkdir(parents=True, exist_ok=True)
        for split in ("train", "validation"):
            rows = [{**row, "id": f"{row.get('id', '')}{n}", "task_id": f"t{n}"} for n in range(count)]
            (root / kind / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def write_config(path: Path, text: str) -> Path:
    """A tuning config file with `text`."""
    path.write_text(text)
    return path


@pytest.fixture(scope="session")
def tiny() -> Path:
    """The tiny model (tiny_model_dir) for tuning tests; skipped without trl."""
    pytest.importorskip("trl")
    return tiny_model_dir()


def tiny_config(tmp_path: Path, tiny: Path, method: str = "lora", extra: str = "") -> Path:
    """A config training the tiny model for 4 steps on write_mined's rows, with validation."""
    mined = write_mined(tmp_path / "mined")
    return write_config(
        tmp_path / f"{method}.yaml",
        f"""model: {tiny}
output: {tmp_path / "out"}
data:
  - {{path: {mined}, kind: instructions}}
  - {{path: {mined}, kind: fim, layouts: [psm, spm]}}
lora: {{r: 4, alpha: 8, target_modules: [q_proj, v_proj]}}
prompt: {{virtual_tokens: 4}}
train: {{max_steps: 4, batch_size: 2, grad_accum: 2, save_steps: 2, eval_steps: 2, validation: 4,
        max_length: 256}}
{extra}""",
    )


class Remembering(FakeBackend):
    """A fake whose answers would depend on its earlier prompts (`Replays`): it logs each replay it is
    asked for and each generation, by the function each prompt names."""

    def __init__(self, answers: Any) -> None:
        super().__init__(answers)
        self.log: list[tuple[str, ...]] = []
        self.replayed: list[GenRequest] = []

    def replay(self, requests: Sequence[GenRequest], *, fresh: bool = False) -> None:
        self.replayed += requests
        self.log.append(("replay", "fresh" if fresh else "after", *(asked(r) for r in requests)))

    def _answer(self, request: GenRequest) -> str:
        self.log.append(("generate", asked(request)))
        return super()._answer(request)


def asked(request: GenRequest) -> str:
    """The function a prompt names first (in backquotes), else the start of its last message."""
    content = request.messages[-1].content
    if "`" not in content:
        return content[:40]
    return content.split("`")[1].removeprefix("fn ").split("(")[0]
