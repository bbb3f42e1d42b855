#!/usr/bin/env bash
# Tokenizer benchmark (not a test): ropelm vs HF tokenizers (BERT WordPiece, GPT-2) and tiktoken (GPT-2), each
# with encode_batch on all cores, on one corpus, line by line: MB/s and threads of each, exact comparison of all
# ids, ratios last.
# Usage: scripts/bench_tokenizer.sh [CORPUS...]   (default: the Gutenberg Victorian corpus, 28 MB)
# Builds nothing: expects build/ropelm (or $ROPELM_BIN) and the peers of .venv-torch2/ (scripts/setup-torch2.sh:
# PyPI's tokenizers and tiktoken, native Rust, pinned in scripts/requirements-torch2.txt; or $PYTHON with both).
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

python=${PYTHON:-$repo/.venv-torch2/bin/python}
"$python" -c 'import tokenizers, tiktoken' 2>/dev/null ||
  { echo "bench_tokenizer.sh: $python lacks tokenizers/tiktoken (run scripts/setup-torch2.sh)" >&2; exit 2; }
threads=$(nproc)
RAYON_NUM_THREADS=$threads "$python" "$repo/scripts/bench_tokenizer_compare.py" "$work/corpus.txt" "$repo" "$ropelm" \
  "$threads"
