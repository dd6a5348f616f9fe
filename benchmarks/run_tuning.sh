#!/usr/bin/env bash
# The tuning evidence behind docs/results: each CPU recipe trained, then its adapter evaluated beside the
# base model with the same settings, so that `rustcoder report BASE TUNED` pairs them per problem (gained,
# lost, sign test). Resumable like run_results.sh (whose cautions apply); then make_results.py.
#
#   nohup benchmarks/run_tuning.sh > runs/logs/tuning.out 2>&1 &
#
# About 25-50 min of training per recipe on 2 cores, then 20-50 min per evaluation: HumanEvalPack-Rust
# first for every recipe (the headline comparison; a FIM recipe's FIM scores before it), then prompt
# tuning (so that the three methods stand side by side early), then MultiPL-E, then fill-in-the-middle.
# The LoRA adapters run on llama.cpp (converted to GGUF once); the prompt-tuning
# adapter only on transformers, so its baseline is the base model on transformers too. MultiPL-E: MPL as
# in run_results.sh.
cd "$(dirname "$0")/.."
MPL="${MPL:-multiple-humaneval-rs}"
. benchmarks/queue.sh  # run NAME ARGS...
train() {  # config: rustcoder tune METHOD CONFIG, unless its adapter is saved (a killed one resumes)
    local config=$1 name method
    name=$(basename "$config" .yaml)
    method=$(sed -n 's/^method: *//p' "$config")
    [ -f "runs/tune/$name/adapter/adapter_config.json" ] && return
    .venv/bin/rustcoder tune "$method" "$config" >> "runs/logs/tune-$name.log" 2>&1
}
while pgrep -f "python.*rustcoder (run|tune)" >/dev/null; do sleep 20; done  # one model job at a time
M=qwen2.5-coder-0.5b-instruct
R="--loop-span 0"  # the published baselines' setting
RECIPES="lora-instructions-cpu lora-standalone-cpu self-cpu lora-fim-cpu"  # the likeliest gain first
fim_runs() {  # recipe [blocks gaps]: its FIM scores on the infill benchmark and on mined crates (the
    # first `blocks` infill tasks and `gaps` mined gaps: 0, all)
    local A="--adapter runs/tune/$1/adapter"
    run "hepb-qwen0.5b-fim-$1" humanevalpack-rust-infill-block --model $M --strategy fim $A --limit "${2:-0}"
    run "mined-qwen0.5b-fim-$1" runs/mined/fim/test-bench.jsonl --model $M --strategy fim $A --limit "${3:-0}"
}
for recipe in $RECIPES; do
    train "configs/$recipe.yaml"
    case $recipe in *fim*) fim_runs "$recipe" ;; esac  # a FIM recipe's headline: FIM first
    run "hep-qwen0.5b-delimited-$recipe" humanevalpack-rust --model $M --strategy delimited $R \
        --adapter "runs/tune/$recipe/adapter"
done
# The FIM recipe's answers held open while a bracket they opened is open (--fim-hold), the base's too:
# the one factor changed, on both models
H="humanevalpack-rust-infill-block --model $M --strategy fim --fim-hold"
run hepb-qwen0.5b-fim-hold $H
run hepb-qwen0.5b-fim-hold-lora-fim-cpu $H --adapter runs/tune/lora-fim-cpu/adapter
# Prompt tuning and LoRA on the same 20 % of HumanEvalPack-Rust (the seed study's setting); their
# evaluations leave those problems out (on MultiPL-E too: the same HumanEval problems by number).
train configs/lora-split-cpu.yaml
run hep-qwen0.5b-delimited-lora-split-cpu humanevalpack-rust --model $M --strategy delimited $R \
    --adapter runs/tune/lora-split-cpu/adapter
train configs/prompt-cpu.yaml
T="--backend transformers"
run hep-qwen0.5b-delimited-transformers humanevalpack-rust --model $M --strategy delimited $R $T
run hep-qwen0.5b-delimited-prompt-cpu humanevalpack-rust --model $M --strategy delimited $R $T \
    --adapter runs/tune/prompt-cpu/adapter
run mhe-qwen0.5b-delimited "$MPL" --model $M --strategy delimited $R  # the MultiPL-E baseline
for recipe in $RECIPES lora-split-cpu; do
    run "mhe-qwen0.5b-delimited-$recipe" "$MPL" --model $M --strategy delimited $R \
        --adapter "runs/tune/$recipe/adapter"
done
# lora-fim-cpu sized for the hour by less data: its FIM scores on the mined test split
train configs/lora-fim-hour-cpu.yaml
A="--adapter runs/tune/lora-fim-hour-cpu/adapter"
run mined-qwen0.5b-fim-lora-fim-hour-cpu runs/mined/fim/test-bench.jsonl --model $M --strategy fim $A
# The same FIM recipe with its examples grouped by length (lora-fim-cpu's 66 steps in the hour?): the
# order's cost measured first, then the recipe and its evaluations, as lora-fim-cpu's
[ -f runs/logs/bench-tune-orders.txt ] ||
    { .venv/bin/python benchmarks/bench_tune.py --orders configs/lora-fim-cpu.yaml > runs/logs/bench-tune-orders.part \
        2>&1 && mv runs/logs/bench-tune-orders.part runs/logs/bench-tune-orders.txt; }
train configs/lora-fim-grouped-cpu.yaml
A="--adapter runs/tune/lora-fim-grouped-cpu/adapter"
run mined-qwen0.5b-fim-lora-fim-grouped-cpu runs/mined/fim/test-bench.jsonl --model $M --strategy fim $A
run hepb-qwen0.5b-fim-hold-lora-fim-grouped-cpu $H $A
run hep-qwen0.5b-delimited-lora-fim-grouped-cpu humanevalpack-rust --model $M --strategy delimited $R $A
run mhe-qwen0.5b-delimited-lora-fim-grouped-cpu "$MPL" --model $M --strategy delimited $R $A
# lora-fim-hour-cpu took 70 min all the same (a random order): its other evaluations, after the grouped one's
A="--adapter runs/tune/lora-fim-hour-cpu/adapter"
run hepb-qwen0.5b-fim-hold-lora-fim-hour-cpu $H $A
run hep-qwen0.5b-delimited-lora-fim-hour-cpu humanevalpack-rust --model $M --strategy delimited $R $A
# What the chat recipes do to FIM (they were not trained for it: a check for damage, so on subsets, paired
# with the full base runs on the tasks both ran): the first 150 infill blocks (HumanEval problems 0-76)
# and the first 200 mined gaps (all 21 test crates)
FIM_SUBSET="150 200"
for recipe in $RECIPES lora-split-cpu; do
    case $recipe in *fim*) ;; *) fim_runs "$recipe" $FIM_SUBSET ;; esac
done
# Prompt tuning's: the adapter runs on transformers (about 11 tokens/s against llama.cpp's 25), so its
# base does too
PT="--adapter runs/tune/prompt-cpu/adapter"
BL="humanevalpack-rust-infill-block --limit 150"
MI="runs/mined/fim/test-bench.jsonl --limit 200"
run hepb-qwen0.5b-fim-transformers $BL --model $M --strategy fim $T
run hepb-qwen0.5b-fim-prompt-cpu $BL --model $M --strategy fim $T $PT
run mined-qwen0.5b-fim-transformers $MI --model $M --strategy fim $T
run mined-qwen0.5b-fim-prompt-cpu $MI --model $M --strategy fim $T $PT
echo "all tuning runs complete $(date)"
