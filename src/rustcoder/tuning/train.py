"""The supervised recipe behind `tune prompt` and `tune lora`: data → PEFT model → TRL's SFTTrainer →
an adapter in PEFT's format with its provenance.

Invariants:
- The run's folder (`output`) holds `tune.json` (the resolved config) from the first step: a second run
  into the same folder resumes from its last checkpoint only with the same config, else stops with the
  keys that differ. A finished adapter is never overwritten.
- The adapter appears all at once (written beside, then renamed) with `rustcoder-tune.json` (config,
  data hashes and counts, library versions, commit, held-out benchmark problems, metrics) and a model card.
- Loss is on completions only (`completion_mask`); examples longer than `max_length` are left out and
  counted, never cut. Packing uses TRL's best-fit-decreasing packing, padding-free with per-example
  position ids, so the loss mask survives; it needs FlashAttention (`packed_attention`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rustcoder.errors import DataError, RustcoderError
from rustcoder.tuning.config import ConfigError, DataSource, TuneConfig, parse_train_split
from rustcoder.tuning.examples import (
    Encoded,
    Pair,
    benchmark_pairs,
    encode,
    source_pairs,
    split_problems,
)
from rustcoder.tuning.record import RECORD_FILE

log = logging.getLogger(__name__)

CONFIG_FILE = "tune.json"
SCORES_FILE = "benchmark.csv"
"""Each checkpoint's score on the recipe's benchmark subset (`evaluate.checkpoints`)."""
LEGACY_TRAIN = {"group_by_length": False}
"""Settings added since the first runs, at the value those runs trained with (so that they resume)."""


class TrainingError(RustcoderError):
    """A tuning run that cannot start or finish."""


@dataclass
class Prepared:
    """What a run trains on."""

    train: Encoded
    validation: Encoded
    held_out: list[str] = field(default_factory=list)
    """Task ids of the `train_split` benchmark that were not trained on (what evaluations may use)."""
    trained_problems: list[str] = field(default_factory=list)
    split_benchmark: dict[str, str] = field(default_factory=dict)
    """The `train_split` benchmark's name and sha256 (how evaluations recognise it)."""
    digests: dict[str, str] = field(default_factory=dict)


def _digest(pairs: list[Pair]) -> str:
    hasher = hashlib.sha256()
    for pair in pairs:
        hasher.update(json.dumps([pair.prompt, pair.completion]).encode())
    return hasher.hexdigest()


def prepare(config: TuneConfig, tokenizer: Any, fmt: Any, extra: list[Pair] | None = None) -> Prepared:
    """Render, tokenise and filter the training and validation examples of `config`."""
    seed = config.train.seed
    train: list[Pair] = list(extra or [])
    validation: list[Pair] = []
    held_out: list[str] = []
    trained: list[str] = []
    split_benchmark: dict[str, str] = {}
    for source in config.data:
        train += source_pairs(fmt, config.strategy, source, seed)
        if config.train.validation and Path(source.path).is_dir():
            check = DataSource(
                **{**source.model_dump(), "split": "validation", "limit": config.train.validation}
            )
            validation += source_pairs(fmt, config.strategy, check, seed)
    if config.train_split is not None:
        from rustcoder.benchmarks import load_benchmark

        name, fraction = parse_train_split(config.train_split)
        benchmark = load_benchmark(name)
        split_benchmark = {"name": benchmark.name, "sha256": benchmark.sha256}
        chosen, rest = split_problems(benchmark.problems, fraction, seed)
        train += benchmark_pairs(fmt, config.strategy, chosen)
        trained, held_out = [p.task_id for p in chosen], [p.task_id for p in rest]
    if not train:
        raise DataError("the training data is empty: every source gave no examples")
    if config.train.validation and not validation and len(train) > 1:  # no validation split: hold some out
        count = min(config.train.validation, max(1, len(train) // 20))
        validation, train = train[-count:], train[:-count]
    encoded = encode(tokenizer, train, config.train.max_length)
    if not encoded.rows:
        raise DataError(
            f"all {encoded.too_long} training examples are longer than train.max_length "
            f"({config.train.max_length} tokens): raise it"
        )
    if encoded.too_long:
        log.warning("%d of %d examples exceed %d tokens and are left out", encoded.too_long, len(train),
                    config.train.max_length)  # fmt: skip
    digests = {"train": _digest(train), "validation": _digest(validation)}
    checked = encode(tokenizer, validation, config.train.max_length)
    return Prepared(encoded, checked, held_out, trained, split_benchmark, digests)


def check_output(config: TuneConfig) -> None:
    """Refuse `config.output` if it holds a finished adapter or a run with another config."""
    output = config.output
    if (output / "adapter" / RECORD_FILE).exists():
        raise TrainingError(f"{output}/adapter is already trained; choose another output or remove it")
    saved = output / CONFIG_FILE
    resolved = json.loads(config.model_dump_json())
    if saved.exists():
        try:
            before = json.loads(saved.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise TrainingError(f"{saved}: unreadable ({exc}); remove the folder to start over") from exc
        if isinstance(before, dict) and isinstance(before.get("train"), dict):
            before["train"] = {**LEGACY_TRAIN, **before["train"]}
        if before != resolved:
            differ = sorted(_differences(before, resolved))
            raise ConfigError(
                f"{output} holds a run with another config (differs in {', '.join(differ)}): resume with the "
                "same config, or choose another output"
            )


def claim_output(config: TuneConfig) -> None:
    """Record the resolved config in `config.output` (once the run is known to be able to start)."""
    config.output.mkdir(parents=True, exist_ok=True)
    saved = config.output / CONFIG_FILE
    if not saved.exists():
        saved.write_text(config.model_dump_json(indent=2) + "\n", encoding="utf-8")


def _differences(before: Any, after: Any, where: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        keys = set(before) | set(after)
        return [d for key in keys for d in _differences(before.get(key), after.get(key), f"{where}{key}.")]
    return [] if before == after else [where.rstrip(".") or "config"]


def last_checkpoint(folder: Path) -> Path | None:
    steps = [
        (int(path.name.split("-")[1]), path)
        for path in folder.glob("checkpoint-*")
        if path.name.split("-")[1].isdigit() and (path / "trainer_state.json").exists()
    ]
    return max(steps)[1] if steps else None


def peft_config(config: TuneConfig, model_dir: Path) -> Any:
    from peft import LoraConfig, PromptTuningConfig, PromptTuningInit, TaskType

    if config.method == "prompt":
        options = config.prompt
        text = options.init_text
        return PromptTuningConfig(
            task_type=TaskType.CAUSAL_LM,
            num_virtual_tokens=options.virtual_tokens,
            prompt_tuning_init=PromptTuningInit.TEXT if text else PromptTuningInit.RANDOM,
            prompt_tuning_init_text=text,
            tokenizer_name_or_path=str(model_dir) if text else None,
        )
    lora = config.lora
    return LoraConfig(
        task_type=TaskType.CAUSAL_LM,
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=list(lora.target_modules),
    )


def sft_arguments(config: TuneConfig, has_validation: bool) -> Any:
    import torch
    from trl import SFTConfig

    train = config.train
    gpu = torch.cuda.is_available()
    return SFTConfig(
        bf16=gpu and torch.cuda.is_bf16_supported(),
        use_cpu=not gpu,
        output_dir=str(config.output / "checkpoints"),
        per_device_train_batch_size=train.batch_size,
        per_device_eval_batch_size=train.batch_size,
        gradient_accumulation_steps=train.grad_accum,
        learning_rate=train.learning_rate,
        lr_scheduler_type="constant_with_warmup" if train.schedule == "constant" else train.schedule,
        warmup_steps=train.warmup_ratio,
        num_train_epochs=train.epochs,
        max_steps=train.max_steps,
        logging_steps=1,
        eval_strategy="steps" if has_validation else "no",
        eval_steps=train.eval_steps,
        save_strategy="steps",
        save_steps=train.save_steps,
        save_total_limit=train.save_total_limit,
        seed=train.seed,
        data_seed=train.seed,
        max_length=train.max_length,
        packing=train.packing,
        train_sampling_strategy="group_by_length" if train.group_by_length else "random",
        completion_only_loss=True,
        report_to=[],  # log.csv and the progress bar report
        disable_tqdm=True,
        dataloader_num_workers=0,
        remove_unused_columns=True,
        save_only_model=False,
    )


def packed_attention() -> str:
    """The attention that keeps packed examples apart, or TrainingError: TRL packs padding-free (one row,
    position ids restarting per example), which only FlashAttention honours; with PyTorch's SDPA or eager
    attention, as on a CPU, each example would attend to the ones packed before it (checked on the tiny
    model: the second example's logits change)."""
    import importlib.util

    import torch

    if torch.cuda.is_available() and importlib.util.find_spec("flash_attn") is not None:
        return "flash_attention_2"
    raise TrainingError(
        "train.packing needs FlashAttention on a GPU (pip install flash-attn): elsewhere packed examples "
        "would attend to each other; set train.packing=false"
    )


def base_model_dir(name: str) -> Path:
    """A transformers model directory for `name` (a GGUF is dequantised once and cached)."""
    from rustcoder.models.convert import transformers_dir
    from rustcoder.models.fetch import resolve_model

    return transformers_dir(resolve_model(name))


def load_tokenizer(model_dir: Path) -> tuple[Any, Any]:
    """The tokenizer and the model's `PromptFormat` (chat template, FIM markers) built from it."""
    from transformers import AutoTokenizer

    from rustcoder.backends.chat import PromptFormat

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    return tokenizer, PromptFormat.of_tokenizer(model_dir.name, tokenizer)


def train(config: TuneConfig, extra: list[Pair] | None = None, base_adapter: Path | None = None) -> Path:
    """Train `config` (resuming its last checkpoint) and save the adapter; returns the adapter's folder.
    `extra` examples are trained on besides the config's data; `base_adapter` starts from an adapter."""
    import torch
    from datasets import Dataset
    from peft import PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM, PrinterCallback
    from trl import SFTTrainer

    from rustcoder.tuning.callbacks import CheckpointScores, CsvLog, Progress

    check_output(config)
    attention = packed_attention() if config.train.packing else None
    if config.train.threads:
        torch.set_num_threads(config.train.threads)
    model_dir = base_model_dir(config.model)
    tokenizer, fmt = load_tokenizer(model_dir)
    data = prepare(config, tokenizer, fmt, extra)
    claim_output(config)
    model: Any = AutoModelForCausalLM.from_pretrained(
        model_dir, dtype=torch.float32, **({"attn_implementation": attention} if attention else {})
    )
    if base_adapter is not None:
        model = PeftModel.from_pretrained(model, str(base_adapter), is_trainable=True)
    else:
        model = get_peft_model(model, peft_config(config, model_dir))
    validation = Dataset.from_list(data.validation.rows) if data.validation.rows else None
    args = sft_arguments(config, validation is not None)
    args.include_num_input_tokens_seen = "non_padding"
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=Dataset.from_list(data.train.rows),
        eval_dataset=validation,
        processing_class=tokenizer,
        callbacks=[CsvLog(config.output / "log.csv"), Progress()],
    )
    if config.evaluate is not None and config.evaluate.checkpoints:
        scores = CheckpointScores(config, split_record(config, data), config.output / SCORES_FILE)
        trainer.add_callback(scores)
    trainer.remove_callback(PrinterCallback)  # the progress bar and log.csv report instead
    resume = last_checkpoint(config.output / "checkpoints")
    if resume is not None:
        log.info("resuming from %s", resume)
    result = trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    metrics: dict[str, Any] = {**result.metrics, "world_size": trainer.args.world_size}
    metrics["hardware"] = hardware(trainer.args)
    if validation is not None:
        metrics.update(trainer.evaluate())
    if not trainer.is_world_process_zero():
        return config.output / "adapter"
    metrics["resumed_from_step"] = int(resume.name.split("-")[1]) if resume else 0
    adapter = save_adapter(config, model, data, metrics, model_dir)
    if config.evaluate is not None:
        from rustcoder.tuning.callbacks import checkpoint_scores
        from rustcoder.tuning.evaluate import evaluate_adapter

        record = json.loads((adapter / RECORD_FILE).read_text(encoding="utf-8"))
        scored = evaluate_adapter(config, adapter)
        if config.evaluate.checkpoints:
            scored["checkpoints"] = checkpoint_scores(config.output / SCORES_FILE)
        write_record(adapter, {**record, "evaluation": scored})
    return adapter


def hardware(args: Any) -> str:
    """Where and in what precision the trainer ran, e.g. `cuda:0 (NVIDIA H200), bf16, 1 process`."""
    import torch

    device = args.device
    name = f"{device} ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else device.type
    processes = args.world_size
    precision = "bf16" if args.bf16 else "fp16" if args.fp16 else "fp32"
    return f"{name}, {precision}, {processes} process{'es' if processes != 1 else ''}"


def write_record(folder: Path, record: dict[str, Any]) -> None:
    """An adapter's record and the model card made from it."""
    from rustcoder.tuning.card import model_card

    (folder / RECORD_FILE).write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    (folder / "README.md").write_text(model_card(record), encoding="utf-8")


def split_record(config: TuneConfig, data: Prepared) -> dict[str, Any] | None:
    """What the adapter's record says of its `train_split` (None without one)."""
    if not config.train_split:
        return None
    return {"benchmark": data.split_benchmark, "trained": data.trained_problems, "held_out": data.held_out}


def save_adapter(
    config: TuneConfig, model: Any, data: Prepared, metrics: dict[str, Any], model_dir: Path
) -> Path:
    """The adapter in PEFT's format with its record and model card, appearing all at once."""
    import peft
    import torch
    import transformers
    import trl

    from rustcoder.provenance import source_version

    target = config.output / "adapter"
    staging = config.output / "adapter.partial"
    shutil.rmtree(staging, ignore_errors=True)
    model.save_pretrained(staging)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    record = {
        "config": json.loads(config.model_dump_json()),
        "base_model": {"name": config.model, "directory": str(model_dir)},
        "method": config.method,
        "trainable_parameters": trainable,
        "data": {
            "train_examples": len(data.train.rows),
            "train_tokens": data.train.tokens,
            "validation_examples": len(data.validation.rows),
            "left_out_too_long": data.train.too_long,
            "sha256": data.digests,
        },
        "train_split": split_record(config, data),
        "metrics": metrics,
        "versions": {
            "rustcoder": source_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "peft": peft.__version__,
            "trl": trl.__version__,
        },
    }
    write_record(staging, record)
    staging.replace(target)
    return target
