#!/usr/bin/env bash
# Where a training step's time goes: trains CONFIG for a few steps with LibTorch's profiler on steps 6-10
# (ROPELM_PROFILE, src/train/step_profiler.h) and prints the operators' self time per step, largest first.
#
# Usage: scripts/profile_step.sh [CONFIG] [PRECISION]     (default configs/bench-tiny.toml, the config's own)
#   BUILD=build   THREADS=N (default: all cores)   TOP=25   SHAPES=1 (one row per operator and input shapes)
#   OUT=FILE.json (keep the Chrome trace; chrome://tracing or ui.perfetto.dev open it)
# The load average is printed beside the figures: other work on the cores inflates every operator.
set -euo pipefail
cd "$(dirname "$0")/.."

config=${1:-configs/bench-tiny.toml}
precision=${2:-}
bin=${BUILD:-build}/ropelm
threads=${THREADS:-$(nproc)}
[[ -x $bin ]] || { echo "profile_step: $bin not found (build it, or set BUILD=...)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trace=${OUT:-$work/trace.json}
sets=(--set train.steps=10 --set train.log_interval=1 --set train.eval_interval=0 --set train.sample_interval=0
  --set checkpoint.interval=1000 --set checkpoint.keep_best=false)
[[ -n $precision ]] && sets+=(--set "train.precision=$precision")
load=$(cut -d' ' -f1-3 /proc/loadavg)
ROPELM_PROFILE=$trace ROPELM_PROFILE_STEPS=6-10 "$bin" --threads "$threads" train --config "$config" "${sets[@]}" \
  --run-dir "$work/run" --overwrite >"$work/train.log" 2>&1 || { tail -20 "$work/train.log" >&2; exit 1; }
echo "profile_step: $config, steps 6-10, $threads threads, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 |
  xargs) (bf16 flags: $(grep -o 'amx_bf16\|avx512_bf16' /proc/cpuinfo | sort -u | xargs)), load $load ->" \
  "$(cut -d' ' -f1-3 /proc/loadavg); $(grep -o 'precision [a-z0-9]* (.*)' "$work/train.log" | head -1)"
shape_flag=()
[[ ${SHAPES:-0} == 1 ]] && shape_flag=(--shapes)
"${PYTHON:-/usr/bin/python3}" scripts/profile_summary.py "$trace" --steps 5 --top "${TOP:-25}" "${shape_flag[@]}"
