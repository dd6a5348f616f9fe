#!/usr/bin/env bash
# Set up rustcoder on Debian 12 (idempotent; fast when already done):
#   apt packages (crate sources for rand/regex/md5, bubblewrap, chromium for the UI's browser tests,
#   Node.js and npm if missing), a Rust toolchain if none is installed, the virtual environment .venv
#   with pinned dependencies, the web UI's bundle (built from web/ with the npm lockfile), the crate
#   cache and the benchmark data.
#   ./setup.sh --with-crates also installs the pinned Debian crate sources that `rustcoder data mine`
#   reads by default (src/rustcoder/data/debian_crates.txt; about 2,000 packages with dependencies).
set -euo pipefail
cd "$(dirname "$0")"

WITH_CRATES=0
for arg in "$@"; do
    case "$arg" in
        --with-crates) WITH_CRATES=1 ;;
        *) echo "setup: unknown option $arg (the only one is --with-crates)" >&2; exit 2 ;;
    esac
done

APT_PACKAGES="librust-rand-dev librust-regex-dev librust-md5-dev bubblewrap python3-venv cmake build-essential chromium"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=""
for package in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if ! command -v rustc >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/rustc" ]; then
    echo "setup: no rustc found; installing Debian's rustc and cargo (rustup's newer toolchain also works)"
    missing="$missing rustc cargo"
fi
if ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi
if [ -n "$missing" ]; then
    echo "setup: apt-get install$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

PYTHON="${PYTHON:-python3.11}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
fi
# llama-cpp-python is source-only on PyPI: build it once per machine (about 15 minutes on 2 cores) into
# rustcoder's cache. On x86-64 it is built for this CPU's features but without AMX: ggml's AMX kernels
# crash on virtual machines that advertise AMX without enabling it.
LLAMA_VERSION="0.3.36"
WHEELS="${RUSTCODER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rustcoder}/wheels"
if ! ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
    flags="$(scripts/ggml_cmake_flags.sh)"
    echo "setup: building llama-cpp-python $LLAMA_VERSION once for this machine (about 15 minutes)"
    CMAKE_ARGS="$flags" .venv/bin/python -m pip wheel --quiet --disable-pip-version-check --no-deps \
        --no-cache-dir -w "$WHEELS" "llama-cpp-python==$LLAMA_VERSION"
fi
stamp_value="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f .venv/.rustcoder-stamp ] || [ "$(cat .venv/.rustcoder-stamp)" != "$stamp_value" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --find-links "$WHEELS" \
        -c constraints.txt -e ".[dev,tune]"
    echo "$stamp_value" > .venv/.rustcoder-stamp
fi

# The web UI: bundled from web/ (pinned by its package-lock.json) into src/rustcoder/serve/static.
ui_stamp="$(find web/src web/index.html web/build.mjs web/package.json web/package-lock.json -type f | LC_ALL=C sort | xargs cat | sha256sum | cut -d' ' -f1)"
UI_OUT=src/rustcoder/serve/static
if [ -f "$UI_OUT/.source-stamp" ] && [ "$(cat "$UI_OUT/.source-stamp")" = "$ui_stamp" ]; then
    echo "setup: the web UI is up to date ($UI_OUT)"
else
    echo "setup: building the web UI (npm ci, esbuild)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)
    echo "$ui_stamp" > "$UI_OUT/.source-stamp"
fi

if [ "$WITH_CRATES" -eq 1 ]; then
    crates="$(grep -v '^#' src/rustcoder/data/debian_crates.txt | sed 's/^/librust-/; s/$/-dev/' | tr '\n' ' ')"
    wanted=""
    for package in $crates; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || wanted="$wanted $package"
    done
    if [ -n "$wanted" ]; then
        echo "setup: installing $(echo $wanted | wc -w) Debian crate-source packages for rustcoder data mine"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $wanted >/dev/null
    else
        echo "setup: the pinned crate sources are installed (/usr/share/cargo/registry)"
    fi
fi

export PATH="$HOME/.cargo/bin:$PATH"
.venv/bin/rustcoder setup
