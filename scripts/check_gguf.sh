#!/usr/bin/env bash
# Checks `ropelm export --format gguf` against llama.cpp itself (llama-cpp-python, compiled from its sdist into a
# throwaway virtual environment) and the gguf package (llama.cpp's own reader). For a GPT-2 BPE model, a
# sentencepiece BPE model and a WordPiece model (llama.cpp's `bert` tokenizer), each trained here for a few steps,
# it exports f32 GGUF and compares:
#   next-token logits  llama.cpp vs ropelm's forward, on a few prompts       max |diff| / max |logit| <= 1e-4
#   greedy continuation llama.cpp vs `ropelm generate --temperature 0`      equal ids
#   token ids          llama.cpp's tokenizer vs `ropelm tokenize`          equal, on the test texts
# and that the forward it compares with is ropelm's own: `ropelm eval --json` NLL from the same forward.
#
# usage: scripts/check_gguf.sh [--steps N] [--work DIR] [--ropelm build/ropelm]   (--setup-only: just the venv)
#        env GGUF_CHECK_VENV (default /tmp/ropelm-gguf-check-venv), PYTHON (a python3 with torch; default /usr/bin/python3)
# The first run compiles llama.cpp (CPU only, 2 jobs): about 15-25 minutes on 2 cores. Not a CI step.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${GGUF_CHECK_VENV:-/tmp/ropelm-gguf-check-venv}"
LLAMA_CPP_PYTHON_VERSION=0.3.36

setup_venv() {
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import gguf, llama_cpp" 2>/dev/null; then return; fi
  echo "== setting up $VENV (gguf, numpy, llama-cpp-python $LLAMA_CPP_PYTHON_VERSION compiled from its sdist)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q gguf numpy
  # CPU only and nothing but the library: no BLAS, GPU backends, tools, tests, server, multimodal or HTTPS.
  CMAKE_ARGS="-DGGML_NATIVE=ON -DGGML_BLAS=OFF -DGGML_CUDA=OFF -DGGML_VULKAN=OFF -DGGML_METAL=OFF \
-DGGML_OPENMP=OFF -DGGML_BACKEND_DL=OFF -DGGML_CPU_ALL_VARIANTS=OFF -DLLAVA_BUILD=OFF -DLLAMA_OPENSSL=OFF \
-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF" \
    MAKEFLAGS=-j2 CMAKE_BUILD_PARALLEL_LEVEL=2 \
    "$VENV/bin/pip" install --no-binary llama-cpp-python "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION"
}

setup_venv
[ "${1:-}" = "--setup-only" ] && exit 0
# The comparison itself runs under a Python with torch (Debian's python3-torch: check_hf_export.py's reference
# forward); llama.cpp runs in a worker under the venv's Python.
exec "${PYTHON:-/usr/bin/python3}" "$ROOT/scripts/check_gguf.py" --venv-python "$VENV/bin/python" "$@"
