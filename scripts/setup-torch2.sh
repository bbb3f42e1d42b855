#!/usr/bin/env bash
# The second build: ropelm against PyPI's torch 2.11.0 (LibTorch 2.x with CUDA 13) in build-torch2/, Release,
# CUDA enabled for sm_80 and sm_90 (LibTorch's CMake package reads TORCH_CUDA_ARCH_LIST; CMAKE_CUDA_ARCHITECTURES
# is for ropelm's own CUDA code). Idempotent. The Debian packages (CMake, CLI11, spdlog, toml++, ...) come from
# scripts/setup.sh; this adds .venv-torch2/ (git-ignored) with the pinned packages of
# scripts/requirements-torch2.txt. Usage: scripts/setup-torch2.sh
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-torch2
requirements=scripts/requirements-torch2.txt
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# pip is quick when everything is installed already; the stamp skips even that when nothing changed.
stamp="$venv/.requirements-installed"
if ! cmp -s "$requirements" "$stamp"; then
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r "$requirements"
  cp "$requirements" "$stamp"
fi
torch_version=$("$venv/bin/python" -c 'import torch; print(torch.__version__, torch.version.cuda)' 2>/dev/null)
case "$torch_version" in
  "2.11.0+cu130 13.0") ;;
  *) echo "error: $venv has torch '$torch_version', expected 2.11.0+cu130 (CUDA 13), as the GPU machine runs" >&2
     exit 2 ;;
esac

command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || {
  echo "error: nvcc not found: install the CUDA 13 toolkit (LibTorch's CMake package needs it)" >&2
  exit 2
}
nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
# torch's own folder comes first in the prefix path too: LibTorch's CMake package looks for libtorch.so and
# libc10.so without excluding the system folders, where Debian's LibTorch 1.13 (scripts/setup.sh) would win.
prefix=$("$venv/bin/python" -c 'import os, torch; print(os.path.dirname(torch.__file__) + ";" + torch.utils.cmake_prefix_path)' 2>/dev/null)
cmake -S . -B build-torch2 -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_CUDA_ARCHITECTURES="80;90" -DTORCH_CUDA_ARCH_LIST="8.0;9.0"
cmake --build build-torch2 -j "$(nproc)"
echo "built build-torch2/ropelm: $(build-torch2/ropelm --version)"
