#!/usr/bin/env bash
# Keep runs still computing in git: copy runs/NAME to docs/results/partial/NAME for each NAME, so that a
# fresh machine (which has no runs/) continues them: benchmarks/queue.sh's `run` copies them back.
# make_results.py removes a kept copy once its run is published. Commit what this copies.
#
#   benchmarks/keep_partial.sh hep-qwen1.5b-n10
cd "$(dirname "$0")/.."
for name in "$@"; do
    [ -d "runs/$name" ] || { echo "no runs/$name" >&2; exit 1; }
    rm -rf "docs/results/partial/$name"
    mkdir -p docs/results/partial
    cp -r "runs/$name" "docs/results/partial/$name"
    # reports are remade from the samples (a --prompt-variants run has one per wording)
    find "docs/results/partial/$name" -type d -name report -prune -exec rm -rf {} +
    # a line the run was still writing as it was copied is left to the run to write again
    find "docs/results/partial/$name" -name '*.jsonl' | while read -r file; do
        [ -z "$(tail -c 1 "$file")" ] || sed -i '$ d' "$file"
    done
    echo "kept $name: $(find "runs/$name" -name samples.jsonl -exec cat {} + | wc -l) sample lines"
done
