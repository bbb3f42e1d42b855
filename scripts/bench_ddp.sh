#!/usr/bin/env bash
# Data-parallel throughput on CPU: tokens/s of the tiny config in one process (2 threads) against
# `--nproc 2` (1 thread each), at the same global batch (data.batch_size halved per rank). Prints both, read from
# metrics.jsonl (mean of the log intervals after the first, which includes warm-up), and their ratio.
#
# Usage: scripts/bench_ddp.sh   ROPELM=path/to/ropelm (default build/ropelm)   STEPS=60   BATCH=16 (global)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${ROPELM:-build/ropelm}
steps=${STEPS:-60}
batch=${BATCH:-16}
[[ -x $bin ]] || { echo "bench_ddp: $bin not found (build it, or set ROPELM=...)" >&2; exit 2; }
"$bin" train --help | grep -q -- --nproc || { echo "bench_ddp: $bin train has no --nproc yet" >&2; exit 2; }
(( batch % 2 == 0 )) || { echo "bench_ddp: BATCH must be even" >&2; exit 2; }

work=$(mktemp -d /tmp/ropelm-bench-ddp.XXXXXX)
trap 'rm -rf "$work"' EXIT
common=(train --config configs/tiny.toml --set "train.steps=$steps" --set train.log_interval=10
        --set train.eval_interval=0 --set checkpoint.interval=100000)

tokens_per_s() {  # $1: metrics.jsonl
  python3 - "$1" <<'PY'
import json, sys
rates = [r["tokens_per_s"] for r in map(json.loads, open(sys.argv[1])) if "tokens_per_s" in r]
rates = rates[1:] or rates
print(f"{sum(rates) / len(rates):.0f}")
PY
}

"$bin" "${common[@]}" --set train.threads=2 --set "data.batch_size=$batch" --run-dir "$work/one" \
  >"$work/one.log" 2>&1 || { cat "$work/one.log"; exit 1; }
"$bin" "${common[@]}" --nproc 2 --set train.threads=1 --set "data.batch_size=$((batch / 2))" \
  --run-dir "$work/two" >"$work/two.log" 2>&1 || { cat "$work/two.log"; exit 1; }

one=$(tokens_per_s "$work/one/metrics.jsonl")
two=$(tokens_per_s "$work/two/metrics.jsonl")
echo "global batch $batch, $steps steps"
echo "1 process,  2 threads: $one tokens/s"
echo "2 processes, 1 thread: $two tokens/s"
awk -v a="$one" -v b="$two" 'BEGIN { printf "ratio (2 / 1): %.2f\n", b / a }'
