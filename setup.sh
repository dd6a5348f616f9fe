#!/usr/bin/env bash
# Set up rustcoder on Debian 12 (idempotent; fast when already done):
#   apt packages (crate sources for rand/regex/md5, bubblewrap), a Rust toolchain if none is installed,
#   the virtual environment .venv with pinned dependencies, the crate cache and the benchmark data.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES="librust-rand-dev librust-regex-dev librust-md5-dev bubblewrap python3-venv"
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
if [ -n "$missing" ]; then
    echo "setup: apt-get install$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

PYTHON="${PYTHON:-python3.11}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp_value="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f .venv/.rustcoder-stamp ] || [ "$(cat .venv/.rustcoder-stamp)" != "$stamp_value" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
    echo "$stamp_value" > .venv/.rustcoder-stamp
fi

export PATH="$HOME/.cargo/bin:$PATH"
.venv/bin/rustcoder setup
