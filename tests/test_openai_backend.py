"""The openai backend against a real OpenAI-compatible server process (llama-cpp-python's server)."""

import json
import socket
import subprocess
import sys
import threading

import pytest

from rustcoder.backends.base import GenRequest, Message
from rustcoder.backends.openai_compat import OpenAICompatBackend
from rustcoder.errors import BackendError, RequestError
from rustcoder.models.fetch import resolve_model
from rustcoder.serve.probe import free_port, wait_for_http
from rustcoder.settings import OpenAISettings
from tests.conftest import Shorter, rustcoder_cli

MODEL = "smollm2-135m-instruct"


def start_server(port: int) -> subprocess.Popen[bytes]:
    path = resolve_model(MODEL).path
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(path),
            "--model_alias",
            MODEL,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--n_threads",
            "2",
            # by default this server abandons a running request when another arrives
            "--interrupt_requests",
            "False",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def server():
    port = free_port()
    proc = start_server(port)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/v1/models")
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.model
def test_chat_and_raw_prompts_with_client_side_stops(server):
    backend = OpenAICompatBackend(MODEL, OpenAISettings(base_url=server, concurrency=2))
    chat, raw = backend.generate(
        [
            GenRequest(messages=(Message("user", "Say hello."),), max_tokens=16),
            GenRequest(prompt="fn add(a: i32, b: i32) -> i32 {", max_tokens=16),
        ]
    )
    assert chat.text.strip() and raw.text and chat.tokens > 0 and chat.ttft_seconds > 0
    stop = raw.text[2:5]
    [stopped] = backend.generate(
        [GenRequest(prompt="fn add(a: i32, b: i32) -> i32 {", max_tokens=16, stop=(stop,))]
    )
    assert stopped.stopped_by == stop and stopped.text == raw.text[: raw.text.index(stop)]
    assert (
        "".join(
            c.text
            for c in backend.stream(GenRequest(prompt="fn add(a: i32, b: i32) -> i32 {", max_tokens=16))
        )
        == raw.text
    )


@pytest.mark.model
def test_the_loop_guard_ends_a_served_runaway_and_closes_its_stream(server, monkeypatch):
    backend = OpenAICompatBackend(MODEL, OpenAISettings(base_url=server))
    prompt = 'let pattern = "' + "o|" * 60  # greedy decoding keeps a repetition going
    [guarded] = backend.generate([GenRequest(prompt=prompt, max_tokens=200, loop_span=64)])
    assert guarded.finish == "loop" and guarded.tokens < 80
    opened = []
    create = backend.client.completions.create

    def recording(**kwargs):
        opened.append(create(**kwargs))
        return opened[-1]

    monkeypatch.setattr(backend.client.completions, "create", recording)
    [again] = backend.generate([GenRequest(prompt=prompt, max_tokens=200, loop_span=64)])
    assert again.text == guarded.text
    assert opened[0].response.is_closed  # the server is told at once, not after 200 tokens


@pytest.mark.model
def test_concurrent_requests_keep_their_order(server):
    backend = OpenAICompatBackend(MODEL, OpenAISettings(base_url=server, concurrency=4))
    prompts = [f"// {i} + {i} =" for i in range(4)]
    requests = [GenRequest(prompt=p, max_tokens=6) for p in prompts]
    assert [g.text for g in backend.generate(requests)] == [backend.generate([r])[0].text for r in requests]


@pytest.mark.model
def test_retries_until_the_server_comes_up():
    port = free_port()
    backend = OpenAICompatBackend(
        MODEL, OpenAISettings(base_url=f"http://127.0.0.1:{port}/v1", retries=6, request_timeout=30)
    )
    box: dict[str, object] = {}

    def call() -> None:
        try:
            box["result"] = backend.generate([GenRequest(prompt="fn main() {", max_tokens=4)])[0]
        except Exception as exc:
            box["error"] = exc

    with socket.create_server(("127.0.0.1", port)) as refusing:  # the server is not up yet
        refusing.settimeout(60)
        worker = threading.Thread(target=call)
        worker.start()
        conn, _ = refusing.accept()  # the first attempt arrived: fail it, and stop listening
        conn.close()
    proc = start_server(port)
    try:
        worker.join(timeout=90)
        assert "result" in box, box.get("error")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_unreachable_server_is_one_clear_error():
    backend = OpenAICompatBackend(
        MODEL, OpenAISettings(base_url=f"http://127.0.0.1:{free_port()}/v1", retries=1, request_timeout=5)
    )
    with pytest.raises(BackendError, match=r"127\.0\.0\.1.*Connection"):
        backend.generate([GenRequest(prompt="x", max_tokens=2)])


def test_a_hold_on_the_end_token_is_refused_before_anything_is_sent():
    backend = OpenAICompatBackend(MODEL, OpenAISettings(base_url=f"http://127.0.0.1:{free_port()}/v1"))
    with pytest.raises(RequestError, match=r"cannot hold the model's end token \(shorter\)"):
        backend.generate([GenRequest(prompt="x", max_tokens=2, holds=(Shorter(9),))])


@pytest.mark.model
@pytest.mark.rustc
@pytest.mark.sandbox
def test_run_through_the_cli_against_the_server(server, fixtures, tmp_path):
    out = tmp_path / "run"
    args = [
        "run",
        str(fixtures / "humanevalx_mini.jsonl"),
        "--model",
        MODEL,
        "--base-url",
        server,
        "--strategy",
        "completion",
        "--limit",
        "2",
        "--concurrency",
        "2",
        "--out",
        str(out),
        "--json",
    ]
    proc = rustcoder_cli(*args, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["samples"] == 2
    info = json.loads((out / "run.json").read_text())
    assert info["backend"]["backend"] == "openai" and info["backend"]["base_url"] == server
