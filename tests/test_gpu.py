"""The CUDA paths of tuning and the transformers backend, on the tiny random-weight model: what a CPU machine
never runs (bf16, tensors and adapters placed on the GPU). Skipped without a GPU; run them where one is."""

from __future__ import annotations

import json
import math

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("trl")

from tests.conftest import tiny_config  # noqa: E402

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.model,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


def test_lora_trains_on_the_gpu_in_bf16_and_the_adapter_serves_on_the_gpu_and_on_the_cpu(tmp_path, tiny):
    from rustcoder.backends.base import GenRequest
    from rustcoder.backends.factory import create_backend
    from rustcoder.settings import TransformersSettings
    from rustcoder.tuning.config import load_config
    from rustcoder.tuning.train import sft_arguments, train

    config = load_config(tiny_config(tmp_path, tiny), ["train.learning_rate=0.01"], method="lora")
    arguments = sft_arguments(config, has_validation=True)
    assert arguments.bf16 and not arguments.use_cpu
    adapter = train(config)
    record = json.loads((adapter / "rustcoder-tune.json").read_text())
    hardware = record["metrics"]["hardware"]
    assert hardware.startswith("cuda:0 (") and hardware.endswith(", bf16, 1 process"), hardware
    assert math.isfinite(record["metrics"]["train_loss"]) and math.isfinite(record["metrics"]["eval_loss"])

    request = GenRequest(prompt="fn add(a: i32, b: i32) -> i32 {", max_tokens=12)
    base = create_backend("transformers", str(tiny))
    gpu = create_backend("transformers", str(tiny), TransformersSettings(adapter=adapter))
    cpu = create_backend("transformers", str(tiny), TransformersSettings(adapter=adapter, device="cpu"))
    assert gpu.device == "cuda" and next(gpu.model.parameters()).dtype == torch.bfloat16
    assert {p.device.type for p in gpu.model.parameters()} == {"cuda"}  # the adapter followed the model
    ids = base.tokenizer(request.prompt, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        before = base.model(input_ids=ids.to("cuda")).logits[0, -1].float().cpu()
        on_gpu = gpu.model(input_ids=ids.to("cuda")).logits[0, -1].float().cpu()
        on_cpu = cpu.model(input_ids=ids).logits[0, -1]
    assert not torch.allclose(before, on_gpu, atol=1e-3)  # training moved the weights
    assert torch.allclose(on_cpu, on_gpu, atol=0.1, rtol=0.05)  # the same adapter on either device (bf16)
    first, second = gpu.generate([request, request])
    assert first.text == second.text and first.tokens == 12
    assert "".join(chunk.text for chunk in gpu.stream(request)) == first.text


def test_prompt_tuning_trains_on_the_gpu_and_its_virtual_tokens_run_there(tmp_path, tiny):
    from rustcoder.backends.base import GenRequest
    from rustcoder.backends.factory import create_backend
    from rustcoder.settings import TransformersSettings
    from rustcoder.tuning.config import load_config
    from rustcoder.tuning.train import train

    config = load_config(tiny_config(tmp_path, tiny, "prompt"), ["train.learning_rate=0.5"], method="prompt")
    adapter = train(config)
    tuned = create_backend("transformers", str(tiny), TransformersSettings(adapter=adapter))
    assert tuned.prompt_learning and tuned.device == "cuda"
    [answer] = tuned.generate([GenRequest(prompt="fn main() {", max_tokens=6)])
    assert answer.tokens == 6 and answer.ttft_seconds > 0


def test_packing_on_a_gpu_needs_flash_attention_or_is_refused(tmp_path, tiny):
    import importlib.util

    from rustcoder.tuning.config import load_config
    from rustcoder.tuning.train import TrainingError, packed_attention, train

    if importlib.util.find_spec("flash_attn") is not None:
        assert packed_attention() == "flash_attention_2"
        return
    with pytest.raises(TrainingError, match="FlashAttention"):
        train(load_config(tiny_config(tmp_path, tiny), ["train.packing=true"], method="lora"))
