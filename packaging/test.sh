#!/usr/bin/env bash
# The README's second command: install dependencies, build, run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
start=$(date +%s)
bash packaging/build.sh
echo "test.sh: build took $(( $(date +%s) - start )) s" >&2
# A real one-node Slurm for the sweep tests; SWEET_REQUIRE_SLURM turns their "no Slurm"
# skip into a failure, so CI cannot pass without running them.
bash packaging/slurm.sh start
trap 'bash packaging/slurm.sh stop' EXIT
export SWEET_REQUIRE_SLURM=1
export SLURM_CONF=${SWEET_SLURM_DIR:-/tmp/sweet-slurm}/slurm.conf  # ours, even where /etc/slurm has another
start=$(date +%s)
ctest --test-dir build --output-on-failure -j 2
echo "test.sh: tests took $(( $(date +%s) - start )) s" >&2
bash packaging/fuzz.sh  # bounded libFuzzer run of the file readers: about 2.5 minutes
bash packaging/sanitize.sh  # the whole suite again under ASan + UBSan: heap corruption fails CI
