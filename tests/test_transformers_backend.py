"""The transformers backend on a tiny random model built in code, with LoRA and prompt-tuning adapters."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")

from rustcoder.backends.base import GenRequest, Message
from rustcoder.backends.factory import create_backend
from rustcoder.errors import RequestError
from rustcoder.models.fetch import resolve_model
from rustcoder.settings import TransformersSettings

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    """A 2-layer Llama with random weights and SmolLM2's real tokenizer (and chat template)."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    gguf = resolve_model("smollm2-135m-instruct").path
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
    )  # fmt: skip
    folder = tmp_path_factory.mktemp("tiny")
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def greedy(backend, text="fn add(a: i32, b: i32) -> i32 {", tokens=12):
    return backend.generate([GenRequest(prompt=text, max_tokens=tokens)])[0]


def test_generates_deterministically_with_timings_and_stops(tiny_dir):
    backend = create_backend("auto", str(tiny_dir))
    assert backend.name == "transformers"
    first, second = greedy(backend), greedy(backend)
    assert first.text == second.text and first.tokens == 12 and first.finish == "length"
    assert 0 < first.ttft_seconds <= first.total_seconds
    assert (
        "".join(
            c.text
            for c in backend.stream(GenRequest(prompt="fn add(a: i32, b: i32) -> i32 {", max_tokens=12))
        )
        == first.text
    )
    stop = first.text[2:5]
    [stopped] = backend.generate(
        [GenRequest(prompt="fn add(a: i32, b: i32) -> i32 {", max_tokens=12, stop=(stop,))]
    )
    assert stopped.stopped_by == stop and stopped.text == first.text[: first.text.index(stop)]
    chat = backend.generate(
        [GenRequest(messages=(Message("user", "hi"),), prefill="RUST_BEGIN\n", max_tokens=4)]
    )[0]
    assert chat.prompt_tokens > 3
    assert backend.render(GenRequest(messages=(Message("user", "hi"),), prefill="X")).endswith("X")
    assert backend.fim is None  # SmolLM2's vocabulary has no FIM markers (the table reads the vocabulary)
    with pytest.raises(RequestError, match="fill-in-the-middle"):
        backend.render(GenRequest(prompt="fn f() {", suffix="}"))


def _adapter(tiny_dir, tmp_path, config):
    from peft import get_peft_model
    from transformers import AutoModelForCausalLM

    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_dir), config)
    import torch

    with torch.no_grad():  # make the adapter do something: random, not the identity it starts as
        for name, parameter in model.named_parameters():
            if parameter.requires_grad:
                parameter.normal_(0, 2.0 if "prompt" in name else 0.5)
    model.save_pretrained(tmp_path)
    return tmp_path


def test_lora_adapter_changes_the_output(tiny_dir, tmp_path):
    from peft import LoraConfig

    adapter = _adapter(tiny_dir, tmp_path, LoraConfig(r=4, target_modules=["q_proj", "v_proj", "down_proj"],
                                                      task_type="CAUSAL_LM"))  # fmt: skip
    base = greedy(create_backend("transformers", str(tiny_dir)))
    tuned_backend = create_backend("transformers", str(tiny_dir), TransformersSettings(adapter=adapter))
    assert greedy(tuned_backend).text != base.text
    assert tuned_backend.describe().settings["adapter"]["prompt_learning"] is False


def test_prompt_tuning_adapter_changes_the_output(tiny_dir, tmp_path):
    """generate() must not silently drop the virtual tokens (peft#2123)."""
    from peft import PromptTuningConfig

    adapter = _adapter(tiny_dir, tmp_path, PromptTuningConfig(num_virtual_tokens=8, task_type="CAUSAL_LM"))
    base = greedy(create_backend("transformers", str(tiny_dir)))
    tuned_backend = create_backend("transformers", str(tiny_dir), TransformersSettings(adapter=adapter))
    assert tuned_backend.describe().settings["adapter"]["prompt_learning"] is True
    tuned = greedy(tuned_backend)
    assert tuned.text != base.text and tuned.tokens == 12


@pytest.mark.slow
def test_gguf_models_are_converted_once_and_cached():
    backend = create_backend("transformers", "smollm2-135m-instruct")
    [generation] = backend.generate([GenRequest(messages=(Message("user", "Say hi."),), max_tokens=8)])
    assert generation.text.strip()
    from rustcoder.models.convert import converted_from_gguf

    again = converted_from_gguf(resolve_model("smollm2-135m-instruct"))
    assert (again / "config.json").exists()


@pytest.mark.slow
def test_serve_on_transformers_answers_with_a_prompt_tuning_adapter(tiny_dir, tmp_path):
    """`rustcoder serve --backend transformers --adapter` (a real uvicorn process): chat answers as the
    backend with that adapter does in process, not as the base model; fill-in-the-middle on a model
    without FIM tokens is a clear client error."""
    from openai import BadRequestError, OpenAI
    from peft import PromptTuningConfig

    from tests.conftest import serve_process

    adapter = _adapter(tiny_dir, tmp_path, PromptTuningConfig(num_virtual_tokens=8, task_type="CAUSAL_LM"))
    ask = "Write a Rust function that adds two numbers."
    request = GenRequest(messages=(Message("user", ask),), max_tokens=8)
    plain = create_backend("transformers", str(tiny_dir)).generate([request])[0].text
    tuned = create_backend("transformers", str(tiny_dir), TransformersSettings(adapter=adapter))
    expected = tuned.generate([request])[0].text
    args = ("--backend", "transformers", "--model", str(tiny_dir), "--adapter", str(adapter))
    with serve_process(*args) as url:
        client = OpenAI(base_url=f"{url}/v1", api_key="none", max_retries=0)
        answer = client.chat.completions.create(
            model="any", messages=[{"role": "user", "content": ask}], max_tokens=8, temperature=0
        )
        with pytest.raises(BadRequestError, match="fill-in-the-middle"):
            client.completions.create(model="any", prompt="fn add() {\n", suffix="\n}\n", max_tokens=8)
    assert answer.choices[0].message.content == expected != plain, (expected, plain)


@pytest.mark.slow
def test_a_hold_keeps_the_model_writing_past_its_end_token():
    import dataclasses

    from tests.conftest import Shorter

    backend = create_backend("transformers", "smollm2-135m-instruct")
    ask = GenRequest(messages=(Message("user", "Say hi."),), max_tokens=64)
    [short] = backend.generate([ask])
    assert short.finish == "eos", short  # it ends by itself
    [held] = backend.generate([dataclasses.replace(ask, holds=(Shorter(len(short.text) + 40),))])
    assert held.text.startswith(short.text) and len(held.text) >= len(short.text) + 40, held
