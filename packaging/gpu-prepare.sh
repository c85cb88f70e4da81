#!/usr/bin/env bash
# Fills .device/ for a GPU machine that has PyTorch but no package registry and no ../shared:
# the dependency prefix (HDF5 C++, nlohmann_json, CLI11, utf8proc, from Debian 12 packages,
# by ../shared/tools/device-deps.sh) and the data packaging/gpu-check.sh trains on (RTE, the
# bert-base-uncased config and vocabulary). Run it here, from the checkout the GPU call
# sends, then carry .device in that call (about 27 MB; git ignores it).
#   bash packaging/gpu-prepare.sh [SHARED_DIR]   (default ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${1:-../shared}
[ -f "$shared/tools/device-deps.sh" ] || { echo "gpu-prepare.sh: no $shared/tools/device-deps.sh (give the shared folder)" >&2; exit 2; }
[ -d .device/deps ] || bash "$shared/tools/device-deps.sh" .device/deps
for d in glue/RTE configs/bert-base-uncased vocab/bert-base-uncased; do
  [ -d "$shared/data/$d" ] || { echo "gpu-prepare.sh: $shared/data/$d is missing" >&2; exit 2; }
  mkdir -p ".device/data/$d"
  cp -r --no-preserve=mode "$shared/data/$d/." ".device/data/$d/"
done
# A checkout from before .gitignore named .device would send it as untracked files anyway;
# this keeps it out of git either way.
git check-ignore -q .device 2>/dev/null || echo /.device/ >> "$(git rev-parse --git-path info/exclude)"
echo "gpu-prepare.sh: $(du -sh .device | cut -f1) in .device: carry it (run's carry: [\".device\"])"
