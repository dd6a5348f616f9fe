#!/usr/bin/env bash
# The runs behind docs/results' "Many samples, one answer" and prompt-variant tables, one after another.
# Each step is resumable: run this script again and it skips what is finished and continues the rest.
# Then: .venv/bin/python benchmarks/make_results.py
#
#   nohup benchmarks/run_selection.sh > runs/logs/selection.out 2>&1 &
#
# Hours of CPU on 2 cores (N = 10 samples of 164 problems: 62 min measured for the 0.5B, about 2.5
# times that expected for the 1.5B, each benchmark; the 0.5B's written tests 47 min more; one greedy
# run per wording about 11 min for the 0.5B). The same cautions as run_results.sh: keep the machine otherwise idle, and run from a frozen copy
# of src/ if you keep editing it. Cheapest and most telling first: the 0.5B before the 1.5B.
# MultiPL-E comes from the hub when it is reachable; elsewhere point MPL at a local copy of humaneval-rs.
cd "$(dirname "$0")/.."
MPL="${MPL:-multiple-humaneval-rs}"
. benchmarks/queue.sh  # run NAME ARGS...
choose() {  # name: every selection method on a run of N samples, then self-tests with repair; what a
    # published run already has is kept (a fresh checkout copies the run back into runs/ for the rest)
    local name=$1 kind
    for kind in compile examples self-tests agreement self-tests-repair; do
        [ -f "runs/$name/select-$kind/results.summary.json" ] ||
            [ -f "docs/results/runs/$name/select-$kind/results.summary.json" ] && continue
        resume "$name" docs/results/runs
        resume "$name"  # a kept partial selection (its written tests, its repair journal)
        case $kind in
            self-tests-repair) .venv/bin/rustcoder select "runs/$name" --method self-tests --repair-rounds 2 ;;
            *) .venv/bin/rustcoder select "runs/$name" --method "$kind" ;;
        esac >> "runs/logs/$name.select.log" 2>&1
    done
}
seed() {  # dir run: the `exact` wording of a variants run is the published greedy run with the same
    # settings (the variants run refuses to resume from it if any setting differs): copied, not re-made
    local dir=$1 from=runs/$2
    [ -d "$from" ] || from=docs/results/runs/$2
    [ -d "$dir/exact" ] || [ ! -f "$from/samples.jsonl" ] && return
    mkdir -p "$dir/exact"
    cp "$from/run.json" "$from/samples.jsonl" "$dir/exact/"
}
variants() {  # size bench-prefix bench [variants]: every wording greedy (as the published runs:
    # --loop-span 0), then their comparison (variants.md)
    local S=$1 name="$2-qwen$1-variants"
    finished "$name" && return  # (seeding would make runs/NAME, and a published run look unfinished)
    seed "runs/$name" "$2-qwen$S-delimited"
    run "$name" "$3" --model "qwen2.5-coder-$S-instruct" --strategy delimited --loop-span 0 \
        --prompt-variants "${4:-all}"
}
while pgrep -f "python.*rustcoder (run|tune)" >/dev/null; do sleep 20; done  # one model job at a time
# FIELD.md's baseline wording with the `instruct` strategy: its 46/164 against the exact text's 38,
# re-measured rather than taken on trust (about 15 min)
run hep-qwen0.5b-instruct-fn-indented humanevalpack-rust --model qwen2.5-coder-0.5b-instruct \
    --strategy instruct --prompt-variant fn-indented --loop-span 0  # as the published instruct run
N="--strategy delimited --attempts 1 -n 10 --temperature 0.8"
# per model, the 0.5B first: HumanEvalPack-Rust with N = 10 and every selection, then the wording
# measurement on it, then MultiPL-E to confirm both (the 1.5B's MultiPL-E wordings: MHE15_VARIANTS,
# e.g. exact,CHOSEN)
for S in 0.5b 1.5b; do
    run "hep-qwen$S-n10" humanevalpack-rust --model "qwen2.5-coder-$S-instruct" $N
    choose "hep-qwen$S-n10"
    variants "$S" hep humanevalpack-rust
    run "mhe-qwen$S-n10" "$MPL" --model "qwen2.5-coder-$S-instruct" $N
    # its greedy baseline: the same strategy and attempts, decoded greedily (as run_results.sh's
    # hep-qwen$S-delimited-1)
    run "mhe-qwen$S-delimited-1" "$MPL" --model "qwen2.5-coder-$S-instruct" --strategy delimited \
        --attempts 1 --loop-span 0
    choose "mhe-qwen$S-n10"
    wordings=all
    [ "$S" = 1.5b ] && wordings="${MHE15_VARIANTS:-all}"
    variants "$S" mhe "$MPL" "$wordings"
done
# Python HumanEval for the 1.5B, as the 0.5B's and the 1.5B's Rust `instruct` runs (run_results.sh: --loop-span 0)
run hepy-qwen1.5b-instruct humaneval-python --model qwen2.5-coder-1.5b-instruct --strategy instruct --loop-span 0
echo "all selection runs complete $(date)"
