#!/usr/bin/env bash
# Configures and builds SWEET Workbench into ./build (Release, Ninja).
#   bash packaging/build.sh [--target NAME]... [CMAKE_ARGS...]
# --target builds only what NAME needs (demo.sh: the two executables, not the ~300 test and
# benchmark targets); without it everything is built. Other arguments go to CMake, e.g.
# -DSWEET_WITH_GUI=OFF for a headless server or -DTorch_DIR=... for CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=()
cmake_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) targets+=(--target "$2"); shift 2 ;;
    *) cmake_args+=("$1"); shift ;;
  esac
done
launcher=()
# ccache, where installed, makes rebuilds after a branch switch or a fresh clone cheap.
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "${cmake_args[@]}"
cmake --build build -j "$(nproc)" "${targets[@]}"
