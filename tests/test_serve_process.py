"""`rustcoder serve` as a user runs it: a uvicorn process on the real default model, asked by the
official `openai` client and by plain HTTP requests shaped exactly as llama.vim sends them."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request

import pytest

from rustcoder.serve.probe import free_port
from tests.conftest import CLI, serve_process

pytestmark = [pytest.mark.model, pytest.mark.slow]

FILE_PREFIX = "/// The sum of the squares of `values`.\npub fn sum_of_squares(values: &[i64]) -> i64 {\n"
FILE_SUFFIX = "\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n"


def post(url: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def server():
    env = {**os.environ, "RC_SERVE_TEST_KEY": "k3y"}
    with serve_process("--api-key-env", "RC_SERVE_TEST_KEY", "--context-tokens", "1024", env=env) as url:
        yield url


AUTH = {"Authorization": "Bearer k3y"}


def test_a_llama_vim_request_warms_then_completes_from_the_kv_cache(server):
    body = {
        "input_prefix": FILE_PREFIX,
        "input_suffix": FILE_SUFFIX,
        "input_extra": [{"filename": "src/util.rs", "text": "pub fn square(x: i64) -> i64 { x * x }\n"}],
        "prompt": "    ",
        "n_predict": 0,
        "top_k": 40,
        "top_p": 0.90,
        "samplers": ["top_k", "top_p", "infill"],
        "cache_prompt": True,
        "t_max_predict_ms": 1000,
    }
    status, warm = post(f"{server}/infill", body, AUTH)
    assert status == 200 and warm["content"] == "", warm
    status, answer = post(f"{server}/infill", {**body, "n_predict": 64}, AUTH)
    assert status == 200, answer
    assert answer["content"].strip() and "fn sum_of_squares" not in answer["content"]  # fills, not repeats
    assert answer["tokens_cached"] > 0 and answer["timings"]["cache_n"] == answer["tokens_cached"], (
        warm,
        answer,
    )
    assert answer["timings"]["prompt_n"] < answer["tokens_evaluated"]  # the warmed context was reused
    status, typed = post(f"{server}/infill", {**body, "prompt": "    v", "n_predict": 16}, AUTH)
    assert status == 200 and typed["timings"]["prompt_n"] <= 3, typed  # one more key: its tokens only
    assert post(f"{server}/infill", body)[0] == 401  # no key, no answer


def test_the_openai_client_completes_fills_and_chats(server):
    from openai import OpenAI

    client = OpenAI(base_url=f"{server}/v1", api_key="k3y")
    assert [m.id for m in client.models.list().data] == ["qwen2.5-coder-0.5b-instruct"]
    filled = client.completions.create(
        model="anything", prompt=FILE_PREFIX + "    ", suffix=FILE_SUFFIX, max_tokens=48, temperature=0
    )
    assert filled.choices[0].text.strip() and "}" not in filled.choices[0].text.rstrip()[-1:]
    pieces = client.chat.completions.create(
        model="anything",
        messages=[{"role": "user", "content": "Write a Rust function that adds two i32 values."}],
        max_tokens=64,
        stream=True,
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in pieces if chunk.choices)
    assert "fn " in text


def test_continue_sends_its_own_fim_template_as_a_raw_streamed_prompt(server):
    from openai import OpenAI

    client = OpenAI(base_url=f"{server}/v1", api_key="k3y")
    prompt = f"<|fim_prefix|>{FILE_PREFIX}    <|fim_suffix|>{FILE_SUFFIX}<|fim_middle|>"
    stream = client.completions.create(
        model="qwen2.5-coder-0.5b", prompt=prompt, max_tokens=48, temperature=0.01, stream=True,
        stop=["<|endoftext|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|file_sep|>"],
    )  # fmt: skip
    text = "".join(chunk.choices[0].text for chunk in stream)
    assert text.strip() and "<|fim" not in text


def test_solve_answers_with_code_checked_in_the_sandbox(server):
    tests = "#[cfg(test)]\nmod tests {\n use super::*;\n #[test]\n fn t() { assert_eq!(add(2, 3), 5); }\n}\n"
    body = {"description": "Add two numbers.", "signature": "fn add(a: i32, b: i32) -> i32", "tests": tests,
            "rounds": 1, "max_tokens": 128}  # fmt: skip
    status, answer = post(f"{server}/api/solve", body, AUTH)
    assert status == 200, answer
    assert "fn add" in answer["code"] and answer["status"] == "passed", answer


def test_metrics_after_the_requests(server):
    with urllib.request.urlopen(
        urllib.request.Request(f"{server}/metrics", headers=AUTH), timeout=10
    ) as reply:
        text = reply.read().decode()
    assert "rustcoder_request_seconds_bucket" in text and "rustcoder_kv_cache_reused_tokens_total" in text


def test_serve_refuses_an_open_address_without_a_key():
    proc = subprocess.run(
        [*CLI, "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "without an API key" in proc.stderr and "Traceback" not in proc.stderr
