#!/usr/bin/env bash
# Checks that `ropelm train` runs data-parallel under torchrun: 2 ranks on CPU (Gloo), the tiny config for 10
# steps; prints the ranks' output and the run's metrics.
#
# Usage: scripts/check_torchrun.sh [--smoke]
#   --smoke: launch only — run the distributed test binary's collectives worker under torchrun instead of the
#            trainer (checks torchrun's environment, its agent-hosted store and Gloo, without a trained model).
#   ROPELM=path/to/ropelm (default build/ropelm)   TEST_BIN=... (default build-dist/test_distributed)
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d /tmp/ropelm-torchrun.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Debian's torch lives in /usr/bin/python3's dist-packages, not in the pyenv python3 on PATH. Torch 1.13's
# elastic launcher breaks on Python 3.11 with its default --redirects 0 (Std.from_str returns None: iterating
# an IntFlag skips the zero member), so redirect and tee stderr instead: the output still reaches the console.
torchrun=(/usr/bin/python3 -m torch.distributed.run --nproc_per_node 2 --redirects 2 --tee 2
          --log_dir "$work/torchrun-logs" --no_python)

if [[ ${1:-} == --smoke ]]; then
  bin=${TEST_BIN:-build-dist/test_distributed}
  [[ -x $bin ]] || { echo "check_torchrun: $bin not found (build target test_distributed)" >&2; exit 2; }
  "${torchrun[@]}" "$bin" --gtest_filter=Worker.Collectives
  echo "check_torchrun: smoke launch OK"
  exit 0
fi

bin=${ROPELM:-build/ropelm}
[[ -x $bin ]] || { echo "check_torchrun: $bin not found (build it, or set ROPELM=...)" >&2; exit 2; }
"${torchrun[@]}" "$bin" train --config configs/tiny.toml --set train.steps=10 --set train.threads=1 \
  --run-dir "$work/run"
echo "--- $work/run/metrics.jsonl"
cat "$work/run/metrics.jsonl"
echo "check_torchrun: OK"
