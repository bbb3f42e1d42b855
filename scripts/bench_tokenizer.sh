#!/usr/bin/env bash
# Tokenizer benchmark (not a test): ropelm vs HF tokenizers (BERT WordPiece, GPT-2) and tiktoken (GPT-2) on
# one corpus, line by line: MB/s and threads of each, exact comparison of all ids, ratios last.
# Usage: scripts/bench_tokenizer.sh [CORPUS...]   (default: the Gutenberg Victorian corpus, 28 MB)
# Builds nothing: expects build/ropelm (or $ROPELM_BIN). Installs npm tokenizers@0.23.2 and tiktoken@1.0.22
# into a temporary directory.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ropelm=${ROPELM_BIN:-$repo/build/ropelm}
if [[ ! -x $ropelm ]]; then
  echo "bench_tokenizer.sh: $ropelm is not built (cmake --build build --target ropelm)" >&2
  exit 2
fi
if (($# > 0)); then
  corpus=("$@")
else
  corpus=(/work/shared/data/gutenberg-victorian/*.txt)
fi

work=$(mktemp -d -t ropelm-bench-tokenizer.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat "${corpus[@]}" >"$work/corpus.txt"
echo "corpus: ${#corpus[@]} file(s) from $(dirname "${corpus[0]}"), each line one text"

echo "installing tokenizers@0.23.2 and tiktoken@1.0.22 into $work ..."
(cd "$work" && npm init -y >/dev/null &&
  npm install --silent --no-audit --no-fund tokenizers@0.23.2 tiktoken@1.0.22 >/dev/null 2>&1)

threads=$(nproc)
NODE_PATH="$work/node_modules" RAYON_NUM_THREADS=$threads \
  node "$repo/scripts/bench_tokenizer_compare.js" "$work/corpus.txt" "$repo" "$ropelm" "$threads"
