#!/usr/bin/env bash
# The GPU checks in one command, for the GPU machine (one H100/H200; its python3 has torch 2.11.0+cu130), run
# from binaries built here by scripts/setup-torch2.sh and carried there, so that no device time goes to
# compiling. LibTorch comes from that machine's own torch at run time.
#
# Usage:
#   scripts/gpu_check.sh --dry-run   on the development machine: checks that build-torch2/ has everything this
#                                    script runs, gathers the Debian libraries the binaries need (not LibTorch's,
#                                    not glibc's) into build-torch2/gpu-libs/, and prints the paths to carry and
#                                    the size that travels (the device tool's limit is 64 MiB).
#   scripts/gpu_check.sh [--quick]   on the GPU machine: writes everything to $OUT (default /tmp/gpu-check):
#     1. CudaCli.* (tests/cli/cuda_cli_test.cpp): CPU-vs-CUDA losses of the tiny fixture over 20 steps in fp32
#        within 1e-4, bf16 autocast trains like fp32, one NCCL rank (started the torchrun way) equals no
#        process group;
#     2. configs/gpt2-small.toml in bf16 for a fixed number of steps, without and with a one-rank NCCL process
#        group: tokens/s, MFU, and the group's overhead (target <= 3%);
#     3. scripts/reference_train.py on the same model (bf16 autocast) in eager and with torch.compile: tokens/s;
#     then the ratios. Budget: under 8 minutes (--quick: under 3: fewer steps).
set -euo pipefail
cd "$(dirname "$0")/.."

build=build-torch2
libs=$build/gpu-libs
binaries=("$build/ropelm" "$build/ropelm-torch" "$build/libropelm_spm.so" "$build/test_cli")
mode=full
for arg in "$@"; do
  case $arg in
    --dry-run) mode=dry ;;
    --quick) mode=quick ;;
    *) echo "usage: scripts/gpu_check.sh [--dry-run | --quick]" >&2; exit 2 ;;
  esac
done

# The libraries a binary loads from the system that the GPU machine may lack: everything ldd resolves outside
# glibc, libstdc++/libgcc, LibTorch's own folder and CUDA's.
foreign_libraries() {
  ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u |
    grep -vE '/(libc|libm|libdl|librt|libutil|libpthread|ld-linux[^/]*|libstdc\+\+|libgcc_s)\.so|/torch/lib/|/nvidia/|/cuda[^/]*/' || true
}

if [[ $mode == dry ]]; then
  for binary in "${binaries[@]}"; do
    [[ -f $binary ]] || { echo "gpu_check: $binary is missing: run scripts/setup-torch2.sh" >&2; exit 2; }
  done
  grep -q libtorch_cuda <(ldd "$build/ropelm-torch") ||
    { echo "gpu_check: $build/ropelm-torch does not link libtorch_cuda.so" >&2; exit 2; }
  rm -rf "$libs" && mkdir -p "$libs"
  foreign_libraries "${binaries[@]}" | xargs -r cp -L -t "$libs"
  # Tests find the sources and binaries at the paths they were built with; the GPU run links them there.
  sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt" >"$libs/SOURCE_DIR"
  tree_bytes=$(git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
  carry_bytes=$(du -cb "${binaries[@]}" "$libs" | tail -1 | cut -f1)
  total=$((tree_bytes + carry_bytes))
  echo "gpu_check --dry-run: everything is built; $(ls "$libs" | grep -c '\.so') system libraries gathered in $libs"
  echo "  working tree $((tree_bytes >> 20)) MiB + carried binaries and libraries $((carry_bytes >> 20)) MiB = $((total >> 20)) MiB"
  echo "  carry: ${binaries[*]} $libs"
  ((total < 64 << 20)) || { echo "gpu_check: $((total >> 20)) MiB is over the device tool's 64 MiB" >&2; exit 1; }
  echo "gpu_check --dry-run: OK"
  exit 0
fi

out=${OUT:-/tmp/gpu-check}
mkdir -p "$out"
exec > >(tee "$out/gpu_check.log") 2>&1
steps=60
[[ $mode == quick ]] && steps=20
site=$(python3 -c 'import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))')
nvidia_libs=$(find "$site/nvidia" -maxdepth 3 -type d -name lib 2>/dev/null | paste -sd: -)
export LD_LIBRARY_PATH="$PWD/$libs:$site/torch/lib:$nvidia_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
built_source=$(cat "$libs/SOURCE_DIR")
if [[ $built_source != "$PWD" && ! -e $built_source ]]; then
  mkdir -p "$(dirname "$built_source")" && ln -s "$PWD" "$built_source"
fi
nvidia-smi -L || true
"$build/ropelm" --version

echo "=== 1. CUDA tests"
"$build/test_cli" --gtest_filter='CudaCli.*' 2>&1 | tail -20 || echo "(CUDA tests failed: see above; the timings below still run)"

gpt2=(train --config configs/gpt2-small.toml --set "train.steps=$steps" --set train.log_interval=5
  --set train.eval_interval=0 --set "checkpoint.interval=$steps")
rate_and_mfu() {  # $1: run dir → "tokens/s mfu" (medians over the rows after the first two)
  python3 - "$1/metrics.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if '"tokens_per_s"' in l][2:]
mfu = [r["mfu"] for r in rows if isinstance(r.get("mfu"), (int, float))]
print(f"{statistics.median(r['tokens_per_s'] for r in rows):.0f} {statistics.median(mfu) if mfu else float('nan'):.3f}")
PY
}
echo "=== 2. configs/gpt2-small.toml, bf16, $steps steps"
rm -rf "$out/gpt2" "$out/gpt2-nccl"
"$build/ropelm" --log-level warn "${gpt2[@]}" --run-dir "$out/gpt2"
read -r ropelm_rate ropelm_mfu < <(rate_and_mfu "$out/gpt2")
RANK=0 WORLD_SIZE=1 MASTER_ADDR=127.0.0.1 MASTER_PORT=29511 \
  "$build/ropelm" --log-level warn "${gpt2[@]}" --set distributed.backend=nccl --run-dir "$out/gpt2-nccl"
read -r nccl_rate _ < <(rate_and_mfu "$out/gpt2-nccl")
echo "ropelm: $ropelm_rate tokens/s, MFU $ropelm_mfu; with a one-rank NCCL group: $nccl_rate tokens/s"

echo "=== 3. scripts/reference_train.py, the same model, bf16 autocast"
reference=(scripts/reference_train.py --device cuda --bf16 --d-model 768 --n-layers 12 --n-heads 12 --context 1024
  --batch-size 16 --vocab-size 30522 --lr 6e-4 --min-lr 6e-5 --warmup 100 --steps "$steps")
median_rate() { awk '$1 == "step" && $2 > 2 {print $6}' "$1" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
python3 "${reference[@]}" >"$out/eager.log"
python3 "${reference[@]}" --compile >"$out/compile.log"
eager_rate=$(median_rate "$out/eager.log")
compile_rate=$(median_rate "$out/compile.log")
echo "PyTorch $(python3 -c 'import torch; print(torch.__version__)'): eager $eager_rate, torch.compile $compile_rate tokens/s"

echo "=== ratios (gpt2-small, bf16, $steps steps)"
awk -v r="$ropelm_rate" -v n="$nccl_rate" -v e="$eager_rate" -v c="$compile_rate" -v m="$ropelm_mfu" 'BEGIN {
  printf "ropelm / PyTorch eager: %.2f\nropelm / torch.compile: %.2f\nMFU: %.1f%%\n", r / e, r / c, 100 * m
  printf "one-rank NCCL group overhead: %.1f%% (target <= 3%%)\n", 100 * (r - n) / r }'
