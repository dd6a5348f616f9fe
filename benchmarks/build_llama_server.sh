#!/usr/bin/env bash
# Build llama.cpp's own server (llama-server) from the llama.cpp that llama-cpp-python 0.3.36 vendors, so
# that bench_completion can put it beside rustcoder's engine on the same GGUF. Needs cmake, ninja and a
# C++ compiler (Debian: cmake ninja-build g++); about 8 minutes on 2 cores, with the CPU flags of
# rustcoder's llama-cpp-python build (scripts/ggml_cmake_flags.sh: GGML_NATIVE's AMX crashes on VMs).
# Prints the binary's path.
#
#   benchmarks/build_llama_server.sh [DIR]   (default: ~/.cache/rustcoder/llama-server-0.3.36)
set -euo pipefail
VERSION=0.3.36
DIR="${1:-$HOME/.cache/rustcoder/llama-server-$VERSION}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ -x "$DIR/build/bin/llama-server" ]; then echo "$DIR/build/bin/llama-server"; exit 0; fi
mkdir -p "$DIR"
cd "$DIR"
if [ ! -d "llama_cpp_python-$VERSION" ]; then
    "$ROOT/.venv/bin/python" -m pip download "llama-cpp-python==$VERSION" --no-binary :all: --no-deps -d . -q
    tar xzf "llama_cpp_python-$VERSION.tar.gz"
fi
SRC="llama_cpp_python-$VERSION/vendor/llama.cpp"
# shellcheck disable=SC2046  # the flags are words
cmake -S "$SRC" -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF $("$ROOT/scripts/ggml_cmake_flags.sh") > cmake.log 2>&1
ninja -C build -j "$(nproc)" llama-server > ninja.log 2>&1
echo "$DIR/build/bin/llama-server"
