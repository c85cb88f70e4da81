#!/usr/bin/env bash
# Configures and builds SWEET Workbench into ./build (Release, Ninja). Extra arguments go
# to CMake, e.g. -DSWEET_WITH_GUI=OFF for a headless server or -DTorch_DIR=... for CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build -j "$(nproc)"
