"""Typed settings: defaults once, errors that name the field, unknown keys refused, flags made from fields."""

import inspect

import pytest

from rustcoder.backends.factory import BackendOptions
from rustcoder.settings import (
    Execution,
    LlamaCppSettings,
    OpenAISettings,
    Sampling,
    SettingsError,
    TransformersSettings,
)


def test_a_bad_value_is_named_with_its_field():
    with pytest.raises(
        SettingsError, match=r"invalid Sampling: max_tokens: Input should be greater than or equal to 1"
    ):
        Sampling.parse({"max_tokens": 0})
    with pytest.raises(SettingsError, match=r"temprature: Extra inputs are not permitted"):
        Sampling.parse({"temprature": 0.2})
    with pytest.raises(ValueError):  # direct construction validates too
        Sampling(n=0)


def test_defaults_are_defined_once_and_reach_the_executor():
    from rustcoder.execute.engine import DEFAULT_BATCH_SIZE, ExecConfig

    config = Execution().config()
    assert config == ExecConfig() and config.batch_size == DEFAULT_BATCH_SIZE
    assert Execution(timeout=2.5, memory_mib=64).config().limits.memory_bytes == 64 << 20


def test_backend_flags_become_the_chosen_backends_own_settings(tmp_path):
    kind, settings = BackendOptions(threads=2, context=2048).resolve("qwen2.5-coder-0.5b-instruct")
    assert kind == "llamacpp" and settings == LlamaCppSettings(threads=2, context=2048)
    adapter = tmp_path / "adapter"
    (tmp_path / "model").mkdir()
    kind, settings = BackendOptions(adapter=adapter).resolve(str(tmp_path / "model"))
    assert kind == "transformers" and settings == TransformersSettings(adapter=adapter)
    kind, settings = BackendOptions(base_url="http://127.0.0.1:8000/v1", concurrency=2).resolve("m")
    assert kind == "openai" and settings == OpenAISettings(base_url="http://127.0.0.1:8000/v1", concurrency=2)


def test_a_flag_the_chosen_backend_does_not_take_is_refused():
    with pytest.raises(
        SettingsError, match=r"--adapter does not apply to the openai backend \(it takes --base-url"
    ):
        BackendOptions(base_url="http://x/v1", adapter="a.gguf").resolve("m")
    with pytest.raises(SettingsError, match="--concurrency does not apply to the llamacpp backend"):
        BackendOptions(concurrency=8).resolve("qwen2.5-coder-0.5b-instruct")
    with pytest.raises(SettingsError, match="needs --base-url"):
        BackendOptions(backend="openai").resolve("m")


def test_generate_and_run_take_the_same_generation_options():
    from rustcoder.cli.generate import generate_command
    from rustcoder.cli.run import run_command

    generate = set(inspect.signature(generate_command).parameters)
    run = set(inspect.signature(run_command).parameters)
    assert generate - run == set() and {"sampling__max_tokens", "backend__adapter", "job__model"} <= generate
    assert run - generate == {
        "execution__jobs",
        "execution__batch_size",
        "execution__timeout",
        "execution__memory_mib",
        "execution__executor",
        "execution__ray_address",
        "as_json",
        "choose",  # --select: choosing needs the sandbox's checks, which only run has
        "variants",  # --prompt-variants: a run per wording, compared by their scores
    }


def test_the_cli_refuses_an_irrelevant_flag_in_one_line(fixtures, tmp_path):
    from tests.conftest import rustcoder_cli

    proc = rustcoder_cli(
        "generate", str(fixtures / "humanevalx_mini.jsonl"), "--out", str(tmp_path / "s.jsonl"),
        "--backend", "fake", "--adapter", "x.gguf",
    )  # fmt: skip
    assert proc.returncode == 2 and "--adapter does not apply to the fake backend" in proc.stderr
    assert "Traceback" not in proc.stderr
