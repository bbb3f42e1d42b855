#!/usr/bin/env bash
# Benchmarks the data pipeline on CORPUS (default: the 28 MB Gutenberg corpus): a cold run tokenises it into a
# fresh token cache, a warm run reuses the cache; both iterate one training epoch (`ropelm data --iterate`).
# Prints wall time, tokenising MB/s, loader µs/batch and peak RSS (/usr/bin/time -v), and checks that the peak RSS
# of each run stays below the token file + 150 MB. `ropelm data` runs in the executable that never loads
# LibTorch (src/cli/front_main.cpp); the script checks that too.
#
# Usage: scripts/bench_data.sh [CORPUS]
#   ROPELM=path/to/ropelm (default build/ropelm)   CONFIG=... (default configs/verdict-gpt2.toml: GPT-2 BPE)
#   WINDOW=128 (context length = stride)   BATCH=16
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=${1:-/work/shared/data/gutenberg-victorian}
bin=${ROPELM:-build/ropelm}
config=${CONFIG:-configs/verdict-gpt2.toml}
window=${WINDOW:-128}
batch=${BATCH:-16}
[[ -x $bin ]] || { echo "bench_data: $bin not found (build it, or set ROPELM=...)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench_data: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus_bytes=$(find -L "$corpus" -type f \( -name '*.txt' -o -name '*.jsonl' \) -printf '%s\n' | awk '{s+=$1} END {print s+0}')

run() {  # $1: cold | warm
  /usr/bin/time -v -o "$work/time.$1" "$bin" data --config "$config" --batches 0 --iterate \
    --set "data.train=$corpus" --set "data.cache_dir=$work/cache" --set data.val_fraction=0.01 \
    --set "data.context_length=$window" --set "data.stride=$window" --set "data.batch_size=$batch" \
    --set data.shuffle=true >"$work/out.$1" 2>&1
}

report() {  # $1: cold | warm
  local wall rss_kb
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.$1")
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.$1")
  echo "$1: wall $wall, peak RSS $((rss_kb / 1024)) MB"
  grep -hE "tokenised|reusing token cache|^train:|^val:|iterated one epoch" "$work/out.$1" | sed 's/^/  /'
  echo "$rss_kb"
}

if grep -q libtorch < <(ldd "$bin"); then
  echo "bench_data: $bin loads LibTorch; point ROPELM at the light ropelm executable" >&2
  exit 2
fi
run cold
cold=$(report cold)
run warm
warm=$(report warm)
echo "corpus: $corpus ($((corpus_bytes / 1000000)) MB of .txt/.jsonl), config $config, window $window, batch $batch"
echo "$cold" | sed '$d'
echo "$warm" | sed '$d'

cache_file=$(find "$work/cache" -name '*.ropelm-cache' | head -1)
cache_bytes=$(stat -c %s "$cache_file")
limit_kb=$(((cache_bytes + 150 * 1024 * 1024) / 1024))
echo "token file: $((cache_bytes / 1024 / 1024)) MB ($cache_bytes bytes)"
status=0
for rss_kb in "$(echo "$cold" | tail -1)" "$(echo "$warm" | tail -1)"; do
  verdict="below"
  if ((rss_kb >= limit_kb)); then
    verdict="ABOVE"
    status=1
  fi
  echo "peak RSS $((rss_kb / 1024)) MB: $verdict token file + 150 MB ($((limit_kb / 1024)) MB)"
done
exit $status
