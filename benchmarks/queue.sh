# Sourced by run_results.sh and run_selection.sh: `run NAME ARGS...` makes runs/NAME with
# `rustcoder run ARGS --out runs/NAME`, unless it is complete (or published and not started here);
# its output goes to runs/logs/NAME.log with the exit status and wall time.
mkdir -p runs/logs
run() {
    local name=$1; shift
    if [ -f "runs/$name/run.json" ] && grep -q '"status": "complete"' "runs/$name/run.json"; then return; fi
    if [ -f "docs/results/runs/$name/run.json" ] && [ ! -d "runs/$name" ]; then return; fi  # published
    local start
    start=$(date +%s)
    .venv/bin/rustcoder run "$@" --out "runs/$name" > "runs/logs/$name.log" 2>&1
    echo "exit $? wall $(( $(date +%s) - start ))s" >> "runs/logs/$name.log"
}
