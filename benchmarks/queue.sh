# Sourced by run_results.sh, run_tuning.sh and run_selection.sh: `run NAME ARGS...` makes runs/NAME with
# `rustcoder run ARGS --out runs/NAME`, unless it is `finished`; its output goes to runs/logs/NAME.log
# with the exit status and wall time. `mine` makes runs/mined (training data, the FIM test split) if missing.
# A run still computing can be kept in git with benchmarks/keep_partial.sh NAME (docs/results/partial/NAME);
# a fresh checkout, which has no runs/, continues it from there.
mkdir -p runs/logs
finished() {  # name: complete here, or published and not started here (a fresh checkout has no runs/)
    local name=$1 published=docs/results/runs/$1
    if [ -f "runs/$name/run.json" ] && grep -q '"status": "complete"' "runs/$name/run.json"; then return 0; fi
    [ -f "runs/$name/variants.json" ] && return 0  # a --prompt-variants run writes it when every one is done
    [ ! -d "runs/$name" ] && { [ -f "$published/run.json" ] || [ -f "$published/variants.json" ]; }
}
resume() {  # name [from]: a fresh checkout copies a kept partial run (or one from FROM) back into runs/
    local from=${2:-docs/results/partial}
    [ -d "runs/$1" ] || [ ! -d "$from/$1" ] || cp -r "$from/$1" "runs/$1"
}
run() {
    local name=$1 start
    shift
    finished "$name" && return
    resume "$name"
    start=$(date +%s)
    .venv/bin/rustcoder run "$@" --out "runs/$name" > "runs/logs/$name.log" 2>&1
    echo "exit $? wall $(( $(date +%s) - start ))s" >> "runs/logs/$name.log"
}
mine() {  # needs the crate sources (./setup.sh --with-crates); deterministic: the published runs' bytes
    [ -f runs/mined/fim/test-bench.jsonl ] || .venv/bin/rustcoder data mine --out runs/mined > runs/logs/mined.log 2>&1
}
