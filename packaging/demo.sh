#!/usr/bin/env bash
# The README's first command: install dependencies, build, and run the demo experiment
# (EE, MM and SWEET on the built-in demo task). Results go to ./demo-runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
bash packaging/build.sh
out=demo-runs
mkdir -p "$out"
./build/app/sweet init-checkpoint --config resources/demo/config.json --out "$out/scratch-bert" --make-vocab
./build/app/sweet inspect --model "$out/scratch-bert" --text "the movie was not bad at all" --out "$out/inspect.h5"
