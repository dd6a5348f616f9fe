#!/usr/bin/env bash
# The result runs behind docs/results, one after another. Each is resumable: run this script again and it
# skips finished runs and continues a partial one. Then: .venv/bin/python benchmarks/make_results.py
#
#   nohup benchmarks/run_results.sh > runs/logs/queue.out 2>&1 &
#
# MultiPL-E comes from the hub when it is reachable; elsewhere point MPL at a local copy of humaneval-rs.
# Keep the machine otherwise idle: llama.cpp's threads spin, so other work slows a run (not its results).
# Each run imports rustcoder afresh, so editing src/ meanwhile changes the later runs; to keep working,
# run the queue from a frozen copy: git worktree add --detach /tmp/frozen HEAD; export PYTHONPATH=/tmp/frozen/src
# (Edit this file only by replacing it, e.g. with mv: bash reads a running script as it goes.)
#
# The published runs predate the loop guard (`--loop-span`, on by default since): R keeps them at
# --loop-span 0 so that they resume and reproduce; the README's default job uses today's defaults.
cd "$(dirname "$0")/.."
MPL="${MPL:-multiple-humaneval-rs}"
. benchmarks/queue.sh  # run NAME ARGS...
while pgrep -f "python.*rustcoder run" >/dev/null; do sleep 20; done  # one model run at a time
M=qwen2.5-coder-0.5b-instruct
R="--loop-span 0"
run hep-qwen0.5b-instruct humanevalpack-rust --model $M --strategy instruct $R
run hep-qwen0.5b-delimited-1 humanevalpack-rust --model $M --strategy delimited --attempts 1 $R
run hep-qwen0.5b-delimited humanevalpack-rust --model $M --strategy delimited $R
run hep-qwen0.5b-one-shot humanevalpack-rust --model $M --strategy one-shot $R
run hep-qwen0.5b-repair humanevalpack-rust --model $M --strategy repair $R
run default humanevalpack-rust  # the README's main job, timed for docs/benchmarks.md
run hepy-qwen0.5b-instruct humaneval-python --model $M --strategy instruct $R
run mhe-qwen0.5b-instruct "$MPL" --model $M --strategy instruct $R
run hep-qwen0.5b-alpaca humanevalpack-rust --model $M --strategy alpaca $R
M=qwen2.5-coder-1.5b-instruct
# most informative first: retries change few answers of a model that keeps the format; repair takes longest
run hep-qwen1.5b-delimited-1 humanevalpack-rust --model $M --strategy delimited --attempts 1 $R
run hep-qwen1.5b-instruct humanevalpack-rust --model $M --strategy instruct $R
run mhe-qwen1.5b-instruct "$MPL" --model $M --strategy instruct $R
run hep-qwen1.5b-one-shot humanevalpack-rust --model $M --strategy one-shot $R
run hep-qwen1.5b-delimited humanevalpack-rust --model $M --strategy delimited $R
run hep-qwen1.5b-alpaca humanevalpack-rust --model $M --strategy alpaca $R
run hep-qwen1.5b-repair humanevalpack-rust --model $M --strategy repair $R
# Fill-in-the-middle, with today's defaults (the fim strategy's end rules, the loop guard). The mined
# benchmark: the mined crates' test split
mine
for M in qwen2.5-coder-0.5b-instruct qwen2.5-coder-1.5b-instruct; do
    S=${M#qwen2.5-coder-}
    S=${S%-instruct}
    run "hepb-qwen$S-fim" humanevalpack-rust-infill-block --model $M --strategy fim
    run "mined-qwen$S-fim" runs/mined/fim/test-bench.jsonl --model $M --strategy fim
    [ "$S" = 0.5b ] && run hepb-qwen0.5b-fim-spm humanevalpack-rust-infill-block --model $M --strategy fim --fim-layout spm
    run "hepl-qwen$S-fim" humanevalpack-rust-infill-line --model $M --strategy fim
done
echo "all result runs complete $(date)"
