#!/usr/bin/env bash
# The CMake flags rustcoder builds llama.cpp with (llama-cpp-python in setup.sh, llama-server in
# benchmarks/build_llama_server.sh): on x86-64 this CPU's vector extensions, but never AMX, whose ggml
# kernels crash on virtual machines that advertise AMX without enabling it (GGML_NATIVE would pick it).
if [ "$(uname -m)" = "x86_64" ]; then
    flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
    for pair in avx512f:AVX512 avx512_vnni:AVX512_VNNI avx512_bf16:AVX512_BF16 avx512vbmi:AVX512_VBMI avx_vnni:AVX_VNNI; do
        grep -q -w "${pair%%:*}" /proc/cpuinfo && flags="$flags -DGGML_${pair##*:}=ON"
    done
    echo "$flags"
fi
