"""The model card written beside every adapter: what it was trained from, on what, how, with what result."""

from __future__ import annotations

import json
from typing import Any


def model_card(record: dict[str, Any]) -> str:
    config, data = record["config"], record["data"]
    sources = [f"- `{s['path']}` ({_filters(s)})" for s in config.get("data", [])]
    if record.get("train_split"):
        split = record["train_split"]
        sources.append(
            f"- {config['train_split']}: reference solutions of {len(split['trained'])} problems; "
            f"the other {len(split['held_out'])} are held out, and evaluations of this adapter use only those"
        )
    for number, counts in enumerate(record.get("self_training") or []):
        sources.append(
            f"- self-training round {number}: {counts['samples']:,} answers of the model to instructions "
            f"whose reference compiles on its own ({counts['references_compile']:,} of "
            f"{counts['instructions_tried']:,} tried do; {counts.get('with_doc_tests', 0):,} with doc "
            f"examples as tests); {counts['compile']:,} compiled, {counts.get('pass_doc_examples', 0):,} "
            f"passed doc examples, {counts['accepted_distinct']:,} distinct accepted ones trained on"
        )
    metrics = "\n".join(f"| {key} | {value} |" for key, value in sorted(record["metrics"].items()))
    scored = record.get("evaluation")
    evaluation = ""
    if scored:
        evaluation = (
            f"\n## Evaluation\npass@1 {scored['pass@1']} on {scored['problems']} problems of "
            f"{scored['benchmark']} ({scored['left_out_trained']} left out as trained on); the run: "
            f"`{scored['run']}`.\n"
        )
        for row in scored.get("checkpoints") or []:
            evaluation += f"- checkpoint at step {row['step']}: pass@1 {row['pass@1']} (`{row['run']}`)\n"
    versions = ", ".join(f"{name} {version}" for name, version in record["versions"].items())
    return f"""---
library_name: peft
base_model: {record["base_model"]["name"]}
tags: [rust, code, rustcoder, {record["method"]}]
---

# {record["method"]} adapter for {record["base_model"]["name"]}

Made by `rustcoder tune {record["method"]}`; {record["trainable_parameters"]:,} trainable parameters.
Load it with `PeftModel.from_pretrained(base, THIS_FOLDER)`, or use it with
`rustcoder run --backend transformers --adapter THIS_FOLDER` (LoRA also with llama.cpp after
`rustcoder tune export THIS_FOLDER`).

## Data
{chr(10).join(sources)}

{data["train_examples"]:,} training examples ({data["train_tokens"]:,} tokens),
{data["validation_examples"]:,} for validation; {data["left_out_too_long"]:,} left out as longer than
{config["train"]["max_length"]} tokens.
Prompts are written as the `{config["strategy"]}` strategy writes them. Data sha256: train
`{data["sha256"]["train"]}`, validation `{data["sha256"]["validation"]}`.

## Results of training
| metric | value |
|---|---|
{metrics}
{evaluation}
## Configuration
```json
{json.dumps(config, indent=2)}
```

Versions: {versions}.
"""


def _filters(source: dict[str, Any]) -> str:
    """How a data source was drawn from: kind, split and each filter that was set."""
    parts = [source["kind"], f"split {source['split']}"]
    if source.get("standalone"):
        parts.append("standalone answers only")
    if source.get("fim_kinds"):
        parts.append("middles: " + ", ".join(source["fim_kinds"]))
    if source["kind"] == "fim":
        parts.append("layouts: " + ", ".join(source.get("layouts") or ["psm"]))
    if source.get("limit"):
        parts.append(f"at most {source['limit']:,} rows")
    return ", ".join(parts)
