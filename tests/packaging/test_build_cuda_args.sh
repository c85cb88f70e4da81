#!/usr/bin/env bash
# build-cuda.sh refuses bad arguments before CMake starts: exit status 2 and a message that
# names the problem. usage: test_build_cuda_args.sh PATH/TO/build-cuda.sh
set -u
script=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
expect() {  # expect "MESSAGE PART" ARGS...: exit 2 and the message on stderr
  local want=$1 out rc
  shift
  out=$(bash "$script" "$@" 2>&1 >/dev/null); rc=$?
  if [ $rc != 2 ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL: build-cuda.sh $* -> exit $rc, stderr: $out (wanted exit 2 and '$want')"
    fails=$((fails + 1))
  else
    echo "ok: build-cuda.sh $* -> $want"
  fi
}
mkdir -p "$tmp/torch" "$tmp/empty" "$tmp/deps"
: > "$tmp/torch/TorchConfig.cmake"
expect "TORCH_DIR is missing"
expect "TORCH_DIR is missing" --target sweet
expect "does not exist" "$tmp/nowhere"
expect "no TorchConfig.cmake in '$tmp/empty'" "$tmp/empty"
expect "-j wants a positive number, not '0'" "$tmp/torch" -j 0
expect "unexpected argument 'third'" "$tmp/torch" "$tmp/build" third
expect "--deps '$tmp/nowhere' is not a folder" "$tmp/torch" "$tmp/build" --deps "$tmp/nowhere"
expect "the dependency prefix '$tmp/deps' lacks include/H5Cpp.h" "$tmp/torch" "$tmp/build" --deps "$tmp/deps"
# No folder was made: every refusal came before CMake.
[ ! -e "$tmp/build" ] || { echo "FAIL: $tmp/build was created"; fails=$((fails + 1)); }
exit $fails
