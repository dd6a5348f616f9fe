# Sourced by run_results.sh, run_tuning.sh and run_selection.sh: `run NAME ARGS...` makes runs/NAME with
# `rustcoder run ARGS --out runs/NAME`, unless it is `finished`; its output goes to runs/logs/NAME.log
# with the exit status and wall time. `mine` makes runs/mined (training data, the FIM test split) if missing.
mkdir -p runs/logs
finished() {  # name: complete here, or published and not started here (a fresh checkout has no runs/)
    local name=$1
    if [ -f "runs/$name/run.json" ] && grep -q '"status": "complete"' "runs/$name/run.json"; then return 0; fi
    [ -f "runs/$name/variants.json" ] && return 0  # a --prompt-variants run writes it when every one is done
    [ -f "docs/results/runs/$name/run.json" ] && [ ! -d "runs/$name" ]
}
run() {
    local name=$1 start
    shift
    finished "$name" && return
    start=$(date +%s)
    .venv/bin/rustcoder run "$@" --out "runs/$name" > "runs/logs/$name.log" 2>&1
    echo "exit $? wall $(( $(date +%s) - start ))s" >> "runs/logs/$name.log"
}
mine() {  # needs the crate sources (./setup.sh --with-crates); deterministic: the published runs' bytes
    [ -f runs/mined/fim/test-bench.jsonl ] || .venv/bin/rustcoder data mine --out runs/mined > runs/logs/mined.log 2>&1
}
