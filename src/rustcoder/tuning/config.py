"""A tuning recipe: one validated YAML file (`configs/*.yaml`), overridable with `--set key=value`.

Invariants: unknown keys are rejected with the key's dotted name; a value of the wrong type names the key
and what was expected; the resolved config (after `--set`) is what is saved beside the adapter and what a
resume is compared with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rustcoder.errors import RustcoderError
from rustcoder.types import FimLayout

Method = Literal["prompt", "lora", "self"]


class ConfigError(RustcoderError):
    """A tuning config that cannot be used: the message names the file and each bad key."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataSource(Strict):
    """Training examples from a `rustcoder data mine` folder, a JSONL file or a Hugging Face dataset."""

    path: str
    """A mined folder (its `instructions/` and `fim/` splits), a .jsonl file, or a dataset name."""
    kind: Literal["instructions", "fim"] = "instructions"
    """Alpaca rows (instruction / input / output) or FIM rows (prefix / middle / suffix)."""
    split: str = "train"
    limit: int | None = Field(None, ge=1)
    """At most this many examples (a seeded sample), after filtering."""
    layouts: tuple[FimLayout, ...] = (FimLayout.PSM,)
    """FIM only: each example rendered in these layouts (PSM, SPM or both)."""
    fim_kinds: tuple[str, ...] = ()
    """FIM only: keep these kinds of middle (body, block, statement, line, expression); empty: all."""
    standalone: bool = False
    """Instructions only: keep the answers that stand on their own (free functions naming nothing of
    their crate: `tuning/standalone.py`), as benchmark answers must."""


class LoraOptions(Strict):
    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.05, ge=0.0, lt=1.0)
    target_modules: tuple[str, ...] = (
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
    )


class PromptOptions(Strict):
    virtual_tokens: int = Field(20, ge=1)
    init_text: str | None = "Write correct, idiomatic Rust that compiles and passes its tests."
    """Initialise the virtual tokens from this text's embeddings; None: at random."""


class SelfOptions(Strict):
    """Compiler-verified self-training: sample answers, keep those rustc accepts, train on them."""

    rounds: int = Field(1, ge=1)
    instructions: int = Field(200, ge=1)
    """Mined instructions sampled per round."""
    samples: int = Field(4, ge=1)
    """Answers drawn per instruction."""
    temperature: float = Field(0.8, gt=0.0)
    top_p: float = Field(0.95, gt=0.0, le=1.0)
    max_tokens: int = Field(384, ge=16)
    keep_per_instruction: int = Field(1, ge=1)
    """At most this many distinct accepted answers kept per instruction."""


class TrainOptions(Strict):
    epochs: float = Field(1.0, gt=0)
    max_steps: int = Field(-1, ge=-1)
    """Optimizer steps; -1: as many as `epochs` needs."""
    learning_rate: float = Field(1e-4, gt=0)
    batch_size: int = Field(4, ge=1)
    """Examples per device per micro-batch."""
    grad_accum: int = Field(8, ge=1)
    schedule: Literal["cosine", "linear", "constant"] = "cosine"
    warmup_ratio: float = Field(0.03, ge=0, lt=1)
    max_length: int = Field(512, ge=16)
    """Tokens per example; longer examples are left out and counted, never cut."""
    packing: bool = False
    """Pack several examples into one sequence (the loss stays on completions only); needs
    FlashAttention on a GPU, which keeps packed examples apart (see `train.packed_attention`)."""
    group_by_length: bool = False
    """Draw each optimizer step's examples from examples of similar length (transformers'
    `LengthGroupedSampler`), so that less of each batch is padding: in a random order about half of the
    tokens a mined FIM batch computes are padding (docs/benchmarks.md). Off: a random order."""
    seed: int = 0
    eval_steps: int = Field(50, ge=1)
    save_steps: int = Field(50, ge=1)
    save_total_limit: int = Field(2, ge=1)
    validation: int = Field(64, ge=0)
    """Examples of the validation split scored for validation loss (0: none)."""
    threads: int = Field(0, ge=0)
    """CPU threads for torch (0: torch's default)."""


class BenchmarkEval(Strict):
    """A benchmark subset run through rustcoder's own harness once the adapter is saved."""

    benchmark: str = "humanevalpack-rust"
    limit: int | None = Field(None, ge=1)
    """The first this many problems (after leaving out those the adapter trained on)."""
    strategy: str = "delimited"
    checkpoints: bool = False
    """Also score each checkpoint as training saves it (OUTPUT/eval-NAME/step-N, one row a checkpoint
    in OUTPUT/benchmark.csv), to follow pass@1 during training, not only at its end."""


class TuneConfig(Strict):
    method: Method
    model: str
    """A model name from `rustcoder models`, a GGUF file or a transformers model directory."""
    output: Path
    """Where checkpoints and the adapter go."""
    data: tuple[DataSource, ...] = ()
    train_split: str | None = None
    """`BENCHMARK:FRACTION`: train on this seeded share of a benchmark's problems (their reference
    solutions, in `strategy`'s format); evaluations of the adapter leave those problems out."""
    strategy: str = "delimited"
    """The prompting strategy whose prompt and answer format instruction examples take."""
    lora: LoraOptions = LoraOptions()
    prompt: PromptOptions = PromptOptions()
    self_training: SelfOptions = SelfOptions()
    train: TrainOptions = TrainOptions()
    evaluate: BenchmarkEval | None = None

    @model_validator(mode="after")
    def _has_data(self) -> TuneConfig:
        if self.method != "self" and not self.data and self.train_split is None:
            raise ValueError("no training data: give `data` sources or a `train_split`")
        if self.method == "self" and not any(s.kind == "instructions" for s in self.data):
            raise ValueError(
                "self-training samples answers to mined instructions: give an instructions source"
            )
        if self.train_split is not None:
            parse_train_split(self.train_split)
        return self


def parse_train_split(text: str) -> tuple[str, float]:
    """`humanevalpack-rust:0.2` → ("humanevalpack-rust", 0.2); ValueError naming what is wrong."""
    name, sep, share = text.rpartition(":")
    try:
        fraction = float(share)
    except ValueError:
        fraction = -1.0
    if not sep or not name or not 0 < fraction < 1:
        raise ValueError(f"train_split {text!r}: expected BENCHMARK:FRACTION with 0 < FRACTION < 1")
    return name, fraction


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `dotted` (`train.max_steps`; a number picks an entry of a list: `data.0.limit`) in `tree`."""
    node: dict[str, Any] | list[Any] = tree
    *parents, leaf = dotted.split(".")
    for key in parents:
        child = node[_index(node, key, dotted)] if isinstance(node, list) else node.setdefault(key, {})
        if not isinstance(child, dict | list):
            raise ConfigError(f"--set {dotted}: {key} is not a section")
        node = child
    if isinstance(node, list):
        node[_index(node, leaf, dotted)] = value
    else:
        node[leaf] = value


def _index(items: list[Any], key: str, dotted: str) -> int:
    if not key.isdigit() or int(key) >= len(items):
        raise ConfigError(f"--set {dotted}: {key!r} is not one of the list's {len(items)} entries (from 0)")
    return int(key)


def load_config(
    path: Path, overrides: list[str] | tuple[str, ...] = (), method: Method | None = None
) -> TuneConfig:
    """The config in `path` with each `key.sub=value` of `overrides` applied (values read as YAML)."""
    import yaml

    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(tree, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, found {type(tree).__name__}")
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {item!r}: expected key=value")
        _set(tree, key.strip(), yaml.safe_load(raw) if raw.strip() else "")
    if method is not None:
        if tree.get("method", method) != method:
            raise ConfigError(f"{path}: a `{tree['method']}` recipe, not `{method}`")
        tree["method"] = method
    try:
        return TuneConfig.model_validate(tree)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe(exc)}") from exc


def describe(exc: ValidationError) -> str:
    """One line per problem, each naming its dotted key."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "config"
        message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        lines.append(f"{where}: {message}")
    return "; ".join(lines)
