#!/usr/bin/env bash
# The tuning evidence behind docs/results: each CPU recipe trained, then its adapter evaluated beside the
# base model with the same settings, so that `rustcoder report BASE TUNED` pairs them per problem (gained,
# lost, sign test). Resumable like run_results.sh (whose cautions apply); then make_results.py (which
# keeps a recipe's published training record: `--republish RECIPE` when one trained again here made
# runs that replace its published ones).
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
train() {  # recipe: rustcoder tune METHOD configs/RECIPE.yaml, unless its adapter is saved (a killed
    # one resumes)
    local config=configs/$1.yaml method
    method=$(sed -n 's/^method: *//p' "$config")
    [ -f "runs/tune/$1/adapter/adapter_config.json" ] && return
    .venv/bin/rustcoder tune "$method" "$config" >> "runs/logs/tune-$1.log" 2>&1
}
tuned() {  # name recipe ARGS...: `run NAME ARGS` with the recipe's adapter, trained first only if that
    # run is still to do (a fresh checkout, whose runs/ is empty, retrains only what an unpublished run needs)
    local name=$1 recipe=$2
    shift 2
    finished "$name" && return
    train "$recipe"
    run "$name" "$@" --adapter "runs/tune/$recipe/adapter"
}
mine  # the mined crates: training data and the FIM test split
while pgrep -f "python.*rustcoder (run|tune)" >/dev/null; do sleep 20; done  # one model job at a time
M=qwen2.5-coder-0.5b-instruct
R="--loop-span 0"  # the published baselines' setting
RECIPES="lora-instructions-cpu lora-standalone-cpu self-cpu lora-fim-cpu"  # the likeliest gain first
fim_runs() {  # recipe [blocks gaps]: its FIM scores on the infill benchmark and on mined crates (the
    # first `blocks` infill tasks and `gaps` mined gaps: 0, all)
    tuned "hepb-qwen0.5b-fim-$1" "$1" humanevalpack-rust-infill-block --model $M --strategy fim --limit "${2:-0}"
    tuned "mined-qwen0.5b-fim-$1" "$1" runs/mined/fim/test-bench.jsonl --model $M --strategy fim --limit "${3:-0}"
}
for recipe in $RECIPES; do
    case $recipe in *fim*) fim_runs "$recipe" ;; esac  # a FIM recipe's headline: FIM first
    tuned "hep-qwen0.5b-delimited-$recipe" "$recipe" humanevalpack-rust --model $M --strategy delimited $R
done
# The FIM recipe's answers held open while a bracket they opened is open (--fim-hold), the base's too:
# the one factor changed, on both models
H="humanevalpack-rust-infill-block --model $M --strategy fim --fim-hold"
run hepb-qwen0.5b-fim-hold $H
tuned hepb-qwen0.5b-fim-hold-lora-fim-cpu lora-fim-cpu $H
# Prompt tuning and LoRA on the same 20 % of HumanEvalPack-Rust (the seed study's setting); their
# evaluations leave those problems out (on MultiPL-E too: the same HumanEval problems by number).
tuned hep-qwen0.5b-delimited-lora-split-cpu lora-split-cpu humanevalpack-rust --model $M --strategy delimited $R
T="--backend transformers"
run hep-qwen0.5b-delimited-transformers humanevalpack-rust --model $M --strategy delimited $R $T
tuned hep-qwen0.5b-delimited-prompt-cpu prompt-cpu humanevalpack-rust --model $M --strategy delimited $R $T
run mhe-qwen0.5b-delimited "$MPL" --model $M --strategy delimited $R  # the MultiPL-E baseline
for recipe in $RECIPES lora-split-cpu; do
    tuned "mhe-qwen0.5b-delimited-$recipe" "$recipe" "$MPL" --model $M --strategy delimited $R
done
# lora-fim-cpu sized for the hour by less data: its FIM scores on the mined test split
tuned mined-qwen0.5b-fim-lora-fim-hour-cpu lora-fim-hour-cpu runs/mined/fim/test-bench.jsonl --model $M --strategy fim
# The same FIM recipe with its examples grouped by length (lora-fim-cpu's 66 steps in the hour?): the
# order's cost measured first (docs/benchmarks.md; not again once the recipe's runs are published), then
# the recipe and its evaluations, as lora-fim-cpu's
G=lora-fim-grouped-cpu
[ -f runs/logs/bench-tune-orders.txt ] || finished "mhe-qwen0.5b-delimited-$G" ||
    { .venv/bin/python benchmarks/bench_tune.py --orders configs/lora-fim-cpu.yaml > runs/logs/bench-tune-orders.part \
        2>&1 && mv runs/logs/bench-tune-orders.part runs/logs/bench-tune-orders.txt; }
tuned mined-qwen0.5b-fim-$G $G runs/mined/fim/test-bench.jsonl --model $M --strategy fim
tuned hepb-qwen0.5b-fim-hold-$G $G $H
tuned hep-qwen0.5b-delimited-$G $G humanevalpack-rust --model $M --strategy delimited $R
tuned mhe-qwen0.5b-delimited-$G $G "$MPL" --model $M --strategy delimited $R
# (lora-fim-hour-cpu, 70 min in a random order, is scored on the mined split only: the grouped recipe,
# 42 min with lora-fim-cpu's whole gain, is the FIM recipe for the hour, and has the other evaluations)
# What the chat recipes do to FIM (they were not trained for it: a check for damage, so on subsets, paired
# with the full base runs on the tasks both ran): the first 150 infill blocks (HumanEval problems 0-76)
# and the first 200 mined gaps (all 21 test crates; the 100 function bodies and the 100 blocks)
FIM_SUBSET="150 200"
# one recipe of each method first (self-training, then prompt tuning), then the other LoRA chat recipes.
fim_runs self-cpu $FIM_SUBSET
# Prompt tuning's: the adapter runs on transformers (about 11 tokens/s against llama.cpp's 25), so its
# base does too
BL="humanevalpack-rust-infill-block --limit 150"
# half the LoRA recipes' subset, transformers being slower: the split is ordered by kind, 100 gaps each, so
# these are the 100 function bodies (all 21 crates), where the LoRA subset adds the 100 blocks
MI="runs/mined/fim/test-bench.jsonl --limit 100"
run hepb-qwen0.5b-fim-transformers $BL --model $M --strategy fim $T
# (its evaluation leaves out the 33 HumanEval problems it trained on: the first 121 tasks left are
# the base's first 150 without them)
tuned hepb-qwen0.5b-fim-prompt-cpu prompt-cpu humanevalpack-rust-infill-block --limit 121 --model $M --strategy fim $T
run mined-qwen0.5b-fim-transformers $MI --model $M --strategy fim $T
tuned mined-qwen0.5b-fim-prompt-cpu prompt-cpu $MI --model $M --strategy fim $T
# Prompt tuning on MultiPL-E, as every other method (about 35 + 30 min on transformers)
run mhe-qwen0.5b-delimited-transformers "$MPL" --model $M --strategy delimited $R $T
tuned mhe-qwen0.5b-delimited-prompt-cpu prompt-cpu "$MPL" --model $M --strategy delimited $R $T
for recipe in lora-instructions-cpu lora-standalone-cpu lora-split-cpu; do
    fim_runs "$recipe" $FIM_SUBSET
done
echo "all tuning runs complete $(date)"
