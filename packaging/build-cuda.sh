#!/usr/bin/env bash
# Headless build of the `sweet` command line (no Qt) against a chosen libtorch: an official
# CUDA libtorch, the one inside a pip-installed PyTorch, or any other TorchConfig.cmake.
#
#   bash packaging/build-cuda.sh TORCH_DIR [BUILD_DIR] [--deps DIR] [--target NAME]... [-j N] [CMAKE_ARGS...]
#
# TORCH_DIR: the folder holding TorchConfig.cmake, a libtorch root (share/cmake/Torch below
#   it), or `python` (or a Python executable's path): that interpreter's
#   torch.utils.cmake_prefix_path.
# BUILD_DIR: default build-cuda. --target: default sweet (repeatable). -j: default nproc.
# --deps DIR: a prefix of the non-torch C/C++ dependencies (HDF5 C++, nlohmann_json, CLI11,
#   utf8proc) such as ../shared/tools/device-deps.sh builds for a machine without a package
#   registry. Without --deps the system's are used, and where one of them is missing the
#   prefix in $SWEET_DEPS or .device/deps is used instead, when there is one.
# Exit status 2: bad arguments or something missing before CMake starts (the message says
# what and how to get it); otherwise CMake's.
set -euo pipefail
cd "$(dirname "$0")/.."
me=build-cuda.sh
usage="usage: bash packaging/build-cuda.sh TORCH_DIR|python [BUILD_DIR] [--deps DIR] [--target NAME]... [-j N] [CMAKE_ARGS...]"
fail() { echo "$me: $*" >&2; exit 2; }

torch_arg="" build_dir="" deps="" jobs="" targets=() cmake_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) echo "$usage"; exit 0 ;;
    --deps) [ $# -ge 2 ] || fail "--deps needs a folder"; deps=$2; shift 2 ;;
    --target) [ $# -ge 2 ] || fail "--target needs a name"; targets+=(--target "$2"); shift 2 ;;
    -j) [ $# -ge 2 ] || fail "-j needs a number"; jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    -D*|--*) cmake_args+=("$1"); shift ;;
    *) if [ -z "$torch_arg" ]; then torch_arg=$1
       elif [ -z "$build_dir" ]; then build_dir=$1
       else fail "unexpected argument '$1'"$'\n'"$usage"; fi
       shift ;;
  esac
done
[ -n "$torch_arg" ] || fail "TORCH_DIR is missing: give the folder holding TorchConfig.cmake (e.g. libtorch/share/cmake/Torch) or 'python' for a pip-installed PyTorch"$'\n'"$usage"
[ -z "$jobs" ] || [[ "$jobs" =~ ^[1-9][0-9]*$ ]] || fail "-j wants a positive number, not '$jobs'"
build_dir=${build_dir:-build-cuda}
[ ${#targets[@]} -gt 0 ] || targets=(--target sweet)
jobs=${jobs:-$(nproc)}

# TORCH_DIR -> Torch_DIR (the folder of TorchConfig.cmake).
case "$torch_arg" in
  python|python3|*/python|*/python3|*/python3.*)
    py=$torch_arg; [ "$py" = python ] && py=python3
    command -v "$py" >/dev/null 2>&1 || fail "no Python interpreter '$py' on PATH"
    prefix=$("$py" -c "import torch; print(torch.utils.cmake_prefix_path)" 2>/dev/null) \
      || fail "'$py' cannot import torch: install PyTorch there (pip install torch) or give a libtorch folder"
    torch_dir=$prefix/Torch ;;
  *)
    [ -e "$torch_arg" ] || fail "TORCH_DIR '$torch_arg' does not exist"
    torch_dir=$torch_arg
    for sub in . share/cmake/Torch Torch; do
      if [ -f "$torch_arg/$sub/TorchConfig.cmake" ]; then torch_dir=$torch_arg/$sub; break; fi
    done ;;
esac
[ -f "$torch_dir/TorchConfig.cmake" ] \
  || fail "no TorchConfig.cmake in '$torch_dir' (nor in share/cmake/Torch or Torch below it): give the folder that holds it"
torch_dir=$(cd "$torch_dir" && pwd)
# Which libtorch this is: the CUDA runtime library sits beside libc10 in CUDA builds.
torch_root=$(cd "$torch_dir/../../.." && pwd)
if [ -n "$(find "$torch_root" -maxdepth 2 -name 'libc10_cuda.so' -print -quit 2>/dev/null)" ]; then
  echo "$me: libtorch with CUDA at $torch_root"
  cuda_torch=1
else
  echo "$me: note: the libtorch at $torch_root has no CUDA (libc10_cuda.so not found): the build runs on the CPU only"
  cuda_torch=0
fi

# The non-torch dependencies: the system's, else a prefix.
have_header() {
  local d
  for d in "$@"; do
    for inc in /usr/include /usr/local/include /usr/include/hdf5/serial; do [ -f "$inc/$d" ] && return 0; done
  done
  return 1
}
missing=()
have_header H5Cpp.h || missing+=("HDF5 C++ (H5Cpp.h)")
have_header nlohmann/json.hpp || missing+=("nlohmann_json (nlohmann/json.hpp)")
have_header CLI/CLI.hpp || missing+=("CLI11 (CLI/CLI.hpp)")
have_header utf8proc.h || missing+=("utf8proc (utf8proc.h)")
if [ -z "$deps" ] && [ ${#missing[@]} -gt 0 ]; then
  for cand in "${SWEET_DEPS:-}" .device/deps; do
    if [ -n "$cand" ] && [ -d "$cand" ]; then deps=$cand; break; fi
  done
  if [ -z "$deps" ]; then
    fail "missing on this system: $(IFS=,; echo "${missing[*]}" | sed 's/,/, /g').
  Debian/Ubuntu: apt-get install libhdf5-dev nlohmann-json3-dev libcli11-dev libutf8proc-dev
  No package registry here: on a Debian 12 machine run 'bash ../shared/tools/device-deps.sh .device/deps',
  copy .device/deps here and pass --deps .device/deps (or set SWEET_DEPS)."
  fi
  echo "$me: using the dependency prefix $deps (the system lacks: ${missing[*]})"
fi
orig_ld=${LD_LIBRARY_PATH:-}
prefixes=$(dirname "$torch_dir")
deps_args=()
if [ -n "$deps" ]; then
  [ -d "$deps" ] || fail "--deps '$deps' is not a folder"
  for f in include/H5Cpp.h include/nlohmann/json.hpp include/CLI/CLI.hpp include/utf8proc.h lib/pkgconfig/libutf8proc.pc; do
    [ -e "$deps/$f" ] || fail "the dependency prefix '$deps' lacks $f: rebuild it with ../shared/tools/device-deps.sh"
  done
  deps=$(cd "$deps" && pwd)
  export PKG_CONFIG_PATH=$deps/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
  export LD_LIBRARY_PATH=$deps/lib:$deps/lib/extra${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  deps_args=(-DHDF5_ROOT="$deps")
  prefixes="$deps;$prefixes"
fi

cuda_args=()
if [ "$cuda_torch" = 1 ]; then
  # Torch's CMake looks for the CUDA toolkit (nvcc) even though the project has no CUDA code.
  if ! command -v nvcc >/dev/null 2>&1 && [ -x /usr/local/cuda/bin/nvcc ]; then export PATH=/usr/local/cuda/bin:$PATH; fi
  command -v nvcc >/dev/null 2>&1 \
    || fail "this libtorch uses CUDA but no nvcc was found (PATH, /usr/local/cuda/bin): install the CUDA toolkit or set CUDAToolkit_ROOT"
  cuda_args=(-DCUDAToolkit_ROOT="$(dirname "$(dirname "$(command -v nvcc)")")")
fi
for tool in cmake ninja; do
  command -v $tool >/dev/null 2>&1 || fail "$tool not found: install it (apt-get install cmake ninja-build, or pip install cmake ninja)"
done
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

set -x
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSWEET_WITH_GUI=OFF -DSWEET_BUILD_TESTS=OFF \
  -DTorch_DIR="$torch_dir" -DCMAKE_PREFIX_PATH="$prefixes" "${deps_args[@]}" "${cuda_args[@]}" "${launcher[@]}" "${cmake_args[@]}"
cmake --build "$build_dir" -j "$jobs" "${targets[@]}"
{ set +x; } 2>/dev/null
sweet=$build_dir/app/sweet
if [ -x "$sweet" ]; then
  # Checked with the caller's LD_LIBRARY_PATH: what running it plainly will find.
  if LD_LIBRARY_PATH=$orig_ld ldd "$sweet" | grep -q 'not found'; then
    echo "$me: $sweet lacks libraries at run time:" >&2
    LD_LIBRARY_PATH=$orig_ld ldd "$sweet" | grep 'not found' >&2
    [ -z "$deps" ] || echo "$me: run it with LD_LIBRARY_PATH=$deps/lib:$deps/lib/extra" >&2
  fi
  echo "$me: built $sweet"
fi
