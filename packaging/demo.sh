#!/usr/bin/env bash
# The README's first command: install dependencies, build, and run the demo experiment
# (EE, SWEET and MM on the built-in demo task from a pre-trained demo model, ~3-5 minutes
# on 2 cores). With a display
# the workbench opens on the results; without one the figures are exported headlessly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
# Only the two executables the demo runs: a new user waits for them, not for the test suite.
bash packaging/build.sh --target sweet --target sweet-workbench
out=demo-runs
# --overwrite: running the demo again replaces its own earlier runs. --pretrain: the methods
# start from a model pre-trained with MLM on the demo grammar's sentences, as the paper
# starts from a pre-trained model (about a minute more; reused by a rerun).
./build/app/sweet demo --out "$out" --pretrain --overwrite
./build/app/sweet report "$out"/demo-*.h5
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x build/app/sweet-workbench ]; then
  ./build/app/sweet-workbench --demo
elif [ -x build/app/sweet-workbench ]; then
  QT_QPA_PLATFORM=offscreen ./build/app/sweet-workbench --export "$out"/demo-*.h5 --out "$out/figures"
  echo "demo.sh: no display; figures written to $out/figures/" >&2
fi
