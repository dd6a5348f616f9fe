"""A PEFT LoRA exported to GGUF with llama.cpp's converter, then loaded by the llamacpp backend."""

from pathlib import Path

import pytest

pytest.importorskip("peft")

from rustcoder.backends.base import GenRequest
from rustcoder.backends.factory import create_backend
from rustcoder.models.fetch import resolve_model
from rustcoder.settings import LlamaCppSettings

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.network]


def random_adapter(
    folder: Path, modules: tuple[str, ...] = ("q_proj", "v_proj"), spread: float = 0.3, seed: int = 1
) -> Path:
    """A PEFT LoRA folder for SmolLM2-135M on `modules` with random B matrices (LoRA starts as the
    identity, B = 0: these make it change the output), the same in every run for a `seed`; returns the
    base model's transformers checkpoint converted from its GGUF."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from rustcoder.models.convert import converted_from_gguf

    base_dir = converted_from_gguf(resolve_model("smollm2-135m-instruct"))
    config = LoraConfig(r=8, lora_alpha=16, target_modules=list(modules), task_type="CAUSAL_LM")
    torch.manual_seed(seed)  # before PEFT draws the A matrices
    peft_model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_dir), config)
    with torch.no_grad():
        for name, parameter in peft_model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, spread)
    peft_model.save_pretrained(folder)
    return base_dir


def test_an_exported_lora_changes_llamacpp_output(tmp_path):
    from rustcoder.models.lora import lora_to_gguf

    base_dir = random_adapter(tmp_path / "adapter", ("q_proj", "v_proj", "down_proj"), spread=0.5, seed=0)
    exported = lora_to_gguf(tmp_path / "adapter", base_dir, tmp_path / "adapter.gguf")
    assert exported.stat().st_size > 100_000

    request = GenRequest(prompt="fn add(a: i32, b: i32) -> i32 {", max_tokens=12)
    base = create_backend("llamacpp", "smollm2-135m-instruct").generate([request])[0]
    tuned_backend = create_backend("llamacpp", "smollm2-135m-instruct", LlamaCppSettings(lora=exported))
    tuned = tuned_backend.generate([request])[0]
    assert tuned.text != base.text
    # one prompt twice: the parallel context evaluates the prompt with the adapter too, so the first
    # token is the tuned one (later tokens come from batches of two rows, which may part from one
    # sequence where this random adapter's choices are close)
    first = GenRequest(prompt=request.prompt, max_tokens=1)
    twins = tuned_backend.generate([first, first])
    alone = tuned_backend.generate([first])[0].text
    assert [g.text for g in twins] == [alone] * 2 and alone != base.text[: len(alone)], (alone, base.text)
    assert tuned_backend.describe().settings["lora"]["file"] == str(exported)


def test_a_broken_adapter_is_a_clear_error(tmp_path):
    from rustcoder.models.lora import ExportError, lora_to_gguf

    (tmp_path / "adapter").mkdir()
    with pytest.raises(ExportError, match="converting"):
        lora_to_gguf(tmp_path / "adapter", Path("/nonexistent"), tmp_path / "x.gguf")


def test_a_missing_adapter_is_named_before_the_model_loads(tmp_path):
    from rustcoder.errors import ModelError

    with pytest.raises(ModelError, match="no such LoRA adapter"):
        create_backend("llamacpp", "smollm2-135m-instruct", LlamaCppSettings(lora=tmp_path / "gone"))


def test_both_local_backends_give_the_same_greedy_output_with_one_adapter_folder(tmp_path):
    from rustcoder.settings import TransformersSettings

    adapter = tmp_path / "adapter"
    base_dir = random_adapter(adapter)
    # a few tokens: further on, even the base models' greedy paths part at near-ties (fp32 against
    # llama.cpp's quantised kernels)
    request = GenRequest(prompt="fn add(a: i32, b: i32) -> i32 {", max_tokens=6)
    plain = create_backend("llamacpp", "smollm2-135m-instruct").generate([request])[0].text
    llama = create_backend("llamacpp", "smollm2-135m-instruct", LlamaCppSettings(lora=adapter))
    torch_side = create_backend(
        "transformers", str(base_dir), TransformersSettings(adapter=adapter, device="cpu")
    )
    by_llama, by_torch = llama.generate([request])[0].text, torch_side.generate([request])[0].text
    assert (adapter / "adapter.gguf").exists()  # the folder's LoRA, converted once for llama.cpp
    assert by_llama == by_torch != plain, (by_llama, by_torch, plain)


def test_serve_answers_with_the_adapter(tmp_path):
    """`rustcoder serve --adapter` (a real uvicorn process, asked by the openai client) answers as the
    llamacpp backend with that adapter does, and not as the base model."""
    from openai import OpenAI

    from rustcoder.backends.base import Message
    from tests.conftest import serve_process

    adapter = tmp_path / "adapter"
    random_adapter(adapter)
    ask = "Write a Rust function that adds two numbers."
    request = GenRequest(messages=(Message("user", ask),), max_tokens=8, temperature=0.0)
    plain = create_backend("llamacpp", "smollm2-135m-instruct").generate([request])[0].text
    tuned = create_backend("llamacpp", "smollm2-135m-instruct", LlamaCppSettings(lora=adapter))
    expected = tuned.generate([request])[0].text
    with serve_process("--model", "smollm2-135m-instruct", "--adapter", str(adapter)) as url:
        client = OpenAI(base_url=f"{url}/v1", api_key="none")
        answer = client.chat.completions.create(
            model="any", messages=[{"role": "user", "content": ask}], max_tokens=8, temperature=0
        )
    assert answer.choices[0].message.content == expected != plain, (expected, plain)
