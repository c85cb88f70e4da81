#!/usr/bin/env bash
# Screenshots of the workbench's main views for the README, taken under Xvfb so they work
# on a headless machine. Uses the app's own --screenshot (a grab of the window after the
# run files have loaded), one per tab, into docs/screenshots/.
#
#   packaging/screenshots.sh [BUILD_DIR] [RUN_DIR]
#   defaults: build, demo-runs (make them with: build/app/sweet demo --out demo-runs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
runs="${2:-$root/demo-runs}"
out="$root/docs/screenshots"
app="$build/app/sweet-workbench"

[[ -x "$app" ]] || { echo "no $app: build first (cmake --build $build --target sweet-workbench)" >&2; exit 1; }
shopt -s nullglob
files=("$runs"/*.h5)
(( ${#files[@]} )) || { echo "no run files in $runs: run 'sweet demo --out $runs' first" >&2; exit 1; }
mkdir -p "$out"

# A private settings folder so a user's saved geometry does not change the pictures.
export XDG_CONFIG_HOME="$(mktemp -d)"
trap 'rm -rf "$XDG_CONFIG_HOME"' EXIT

shoot() {  # tab-index name
  if command -v xvfb-run >/dev/null; then
    xvfb-run -a -s "-screen 0 1280x860x24" "$app" --tab "$1" --screenshot "$out/$2.png" "${files[@]}"
  else
    QT_QPA_PLATFORM=offscreen "$app" --tab "$1" --screenshot "$out/$2.png" "${files[@]}"
  fi
  echo "wrote $out/$2.png"
}
shoot 0 curves
shoot 1 table
shoot 2 heatmaps
shoot 3 runs
