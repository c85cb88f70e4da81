#!/usr/bin/env bash
# Installs every Debian 12 package SWEET Workbench needs to build, test and run.
# Idempotent: apt-get skips what is already there. Run as root (or through sudo).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-svg-dev libqcustomplot-dev libqcustomplot2.1-qt6
  libtorch-dev libopenblas0-openmp
  libhdf5-dev nlohmann-json3-dev hdf5-tools libcli11-dev libutf8proc-dev
  xvfb xauth x11-utils imagemagick poppler-utils fonts-dejavu-core
  python3-torch python3-h5py python3-numpy
  python3-sentencepiece  # the SentencePiece reference the tokenizer tests compare ids with (its own process)
  clang-14 libclang-rt-14-dev  # packaging/fuzz.sh: libFuzzer harnesses of the file readers
  slurm-wlm munge  # packaging/slurm.sh: a one-node Slurm for the sweep tests (daemons started by hand)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed" >&2
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
