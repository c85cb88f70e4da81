#!/usr/bin/env bash
# Builds the core, the CLI, the GUI library and every test with AddressSanitizer and
# UBSan (the CMakePresets.json "asan" preset's flags) into ./build-asan and runs the whole
# test suite there: heap corruption, use-after-free and undefined behaviour fail CI
# instead of reaching a user. Leak checking is off: libtorch, OpenMP, Qt and fontconfig
# keep process-lifetime allocations that LeakSanitizer would report at every exit.
set -euo pipefail
cd "$(dirname "$0")/.."
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
start=$(date +%s)
# -O1 -g1: ASan's usual optimisation level with line tables only; full debug info (-g) on
# every file that includes libtorch's headers is most of a sanitizer build's time on CI.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWEET_BUILD_BENCH=OFF \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  "-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_C_FLAGS=$flags" \
  "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" "$@"
cmake --build build-asan -j "$(nproc)"
echo "sanitize.sh: ASan+UBSan build took $(( $(date +%s) - start )) s" >&2
start=$(date +%s)
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=0:strict_init_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build-asan --output-on-failure -j 2 --timeout 1800
echo "sanitize.sh: ASan+UBSan tests took $(( $(date +%s) - start )) s" >&2
