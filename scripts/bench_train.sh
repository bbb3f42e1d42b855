#!/usr/bin/env bash
# Training throughput of ropelm, built on each LibTorch, against the same model in PyTorch
# (scripts/reference_train.py: Debian's 1.13 eager, PyPI's 2.11 eager and torch.compile), in each precision
# (fp32, and bf16 mixed precision: ropelm's train.precision = bf16 against PyTorch's bf16 autocast), plus
# ropelm's evaluation throughput in each precision against its training throughput.
#
# Usage: scripts/bench_train.sh [CONFIG] [STEPS]      (default configs/bench-tiny.toml, 30 steps)
#   BUILDS="build build-torch2" (ropelm builds: Debian's LibTorch 1.13, PyPI's 2.11; a missing one is skipped)
#   PRECISIONS="fp32 bf16" (default: both where the CPU has amx_bf16 or avx512_bf16 or DEVICE=cuda, else fp32)
#   PYTHON=/usr/bin/python3 (Debian's torch 1.13)   TORCH2_PYTHON=.venv-torch2/bin/python (torch 2.11, eager and
#   torch.compile with the inductor CPU backend; skipped when missing)   ROUNDS=3   WARMUP=5 (steps left out of
#   each run's median, torch.compile's compilation among them)   THREADS=N (default: all cores, the same for
#   every program)   DEVICE=cpu | cuda
#   MAX_LOAD=1.5   LOAD_WAIT_S=900: each run waits until the 1-minute load average is below MAX_LOAD, at most
#   LOAD_WAIT_S seconds (then it runs anyway and says so); the load at the start of every run is printed.
#
# Each round runs every contestant once, in turn, so that a change in machine load hits all of them; every
# program inherits the same environment (OMP_WAIT_POLICY and friends: on a busy machine libgomp's default
# spin-waiting slows every LibTorch program many times over, see README). A step's
# tokens/s is batch_size · context_length over the step's wall time (ropelm: metrics.jsonl with
# train.log_interval = 1; python: its own per-step line). All read tokens from the same text (ropelm's
# tokenizer writes the ids the python program samples windows from).
#
# Eval: `ropelm eval --json` reports seconds including checkpoint and tokenizer loading, so the script scores
# the text once and again repeated 8 times and divides the extra tokens by the extra seconds: forward-only
# tokens/s with loading subtracted out (first build's binary).
#
# DEVICE=cuda is for the GPU machine (scripts/gpu_check.sh runs the GPU comparison); on CUDA, ropelm runs with
# --device cuda and the python program synchronises before reading the clock.
set -euo pipefail
cd "$(dirname "$0")/.."

config=${1:-configs/bench-tiny.toml}
steps=${2:-30}
builds=(${BUILDS:-build build-torch2})
torch2_python=${TORCH2_PYTHON:-.venv-torch2/bin/python}
rounds=${ROUNDS:-3}
warmup=${WARMUP:-5}
threads=${THREADS:-$(nproc)}
device=${DEVICE:-cpu}
python=${PYTHON:-/usr/bin/python3}
max_load=${MAX_LOAD:-1.5}
load_wait_s=${LOAD_WAIT_S:-900}
cpu_bf16=$(grep -o 'amx_bf16\|avx512_bf16' /proc/cpuinfo | sort -u | xargs)
if [[ -n ${PRECISIONS:-} ]]; then
  precisions=($PRECISIONS)
elif [[ -n $cpu_bf16 || $device == cuda ]]; then
  precisions=(fp32 bf16)
else
  precisions=(fp32)
fi
contestants=()  # "ropelm:BUILD_DIR:PRECISION" or "python:INTERPRETER:FLAGS:PRECISION"
builds_found=()
for build in "${builds[@]}"; do
  if [[ -x $build/ropelm ]]; then builds_found+=("$build"); else echo "(skipping $build: not built)" >&2; fi
done
((${#builds_found[@]} > 0)) || { echo "bench_train: no ropelm build found (BUILDS=${builds[*]})" >&2; exit 2; }
bin=${builds_found[0]}/ropelm
for precision in "${precisions[@]}"; do
  for build in "${builds_found[@]}"; do contestants+=("ropelm:$build:$precision"); done
  contestants+=("python:$python::$precision")
  if [[ -x $torch2_python ]]; then
    contestants+=("python:$torch2_python::$precision" "python:$torch2_python:--compile:$precision")
  fi
done
[[ -x $torch2_python ]] || echo "(skipping PyTorch 2.x: $torch2_python missing; scripts/setup-torch2.sh makes it)" >&2
((steps > warmup)) || { echo "bench_train: STEPS ($steps) must exceed WARMUP ($warmup)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
loads=()
declare -A eval_median

wait_for_quiet_machine() {  # sets $load, the 1-minute load average when the run starts
  local waited=0
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" -v m="$max_load" 'BEGIN {exit !(l < m)}'; then break; fi
    if ((waited >= load_wait_s)); then
      echo "  (load $load still >= $max_load after ${waited} s: measuring anyway)" >&2
      break
    fi
    sleep 10
    waited=$((waited + 10))
  done
  loads+=("$load")
}

# The model and optimiser settings of the resolved config, as reference_train.py flags; refuses settings the
# reference does not implement.
reference_flags() {
  "$bin" config --config "$config" >"$work/resolved.toml"
  "$python" - "$work/resolved.toml" <<'EOF'
import sys, tomllib
c = tomllib.load(open(sys.argv[1], "rb"))
m, d, o = c["model"], c["data"], c["optim"]
expected = {"n_kv_heads": 0, "mlp": "swiglu", "mlp_hidden": 0, "norm": "rmsnorm", "dropout": 0.0, "bias": False,
            "tie_embeddings": True, "position": "rope", "rope_style": "half", "rope_scaling": "none",
            "rope_theta": 10000.0, "init_std": 0.02, "pad_vocab_multiple": 64, "norm_eps": 1e-5}
wrong = [f"model.{k} = {m[k]!r}" for k, v in expected.items() if m[k] != v]
if o["schedule"] != "cosine" or o["beta1"] != 0.9 or o["beta2"] != 0.95 or o["grad_clip"] != 1.0:
    wrong.append("optim (schedule/betas/grad_clip)")
if c["train"]["grad_accum"] != 1:
    wrong.append("train.grad_accum")
if wrong:
    sys.exit("bench_train: reference_train.py does not implement " + ", ".join(wrong))
print(f"--d-model {m['d_model']} --n-layers {m['n_layers']} --n-heads {m['n_heads']} "
      f"--context {d['context_length']} --batch-size {d['batch_size']} --lr {o['lr']} --min-lr {o['min_lr']} "
      f"--warmup {o['warmup_steps']} --weight-decay {o['weight_decay']}")
EOF
}

run_ropelm() {  # $1: run name, $2: ropelm binary, $3: precision
  "$2" --threads "$threads" --device "$device" --log-level warn train --config "$config" \
    --set "train.steps=$steps" --set train.log_interval=1 --set train.eval_interval=0 --set "train.precision=$3" \
    --set "checkpoint.interval=$steps" --run-dir "$work/$1" --overwrite >"$work/$1.log" 2>&1 ||
    { cat "$work/$1.log" >&2; exit 1; }
  "$python" -c 'import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "tokens_per_s" in r and r["step"] > int(sys.argv[2]): print(r["tokens_per_s"])' \
    "$work/$1/metrics.jsonl" "$warmup" >"$work/$1.rates"
}

run_python() {  # $1: run name, $2: interpreter, $3: extra flags (--compile), $4: precision
  local bf16=""
  [[ $4 == bf16 ]] && bf16=--bf16
  "$2" scripts/reference_train.py $py_flags --steps "$steps" --threads "$threads" --device "$device" \
    --vocab-size "$vocab" --tokens "$work/ids.txt" $3 $bf16 >"$work/$1.log" 2>&1 ||
    { cat "$work/$1.log" >&2; exit 1; }
  awk -v w="$warmup" '$1 == "step" && $2 > w {print $6}' "$work/$1.log" >"$work/$1.rates"
}

last_checkpoint() {  # $1: run name
  ls -d "$work/$1"/checkpoints/step_* | tail -1
}

median() {  # of the numbers in the given files, rounded
  cat "$@" | sort -g | awk '{a[NR] = $1} END {printf "%.0f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

py_flags=$(reference_flags)
"$bin" tokenize --config "$config" --input-format whole <data/the-verdict.txt >"$work/ids.txt"
cpu_name=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "bench_train: $config, $steps steps (median over steps $((warmup + 1))..$steps), $rounds rounds," \
  "$threads threads, device $device, precisions ${precisions[*]}, $(nproc) cores ($cpu_name; bf16 flags:" \
  "${cpu_bf16:-none}), OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}"
label() {  # a contestant's name in the report
  local precision=${1##*:}
  case $1 in
    ropelm:*) local build=${1#ropelm:}
      build=${build%:*}
      echo "ropelm ($("$build/ropelm" --version | sed 's/.*(\(LibTorch [0-9.]*\).*/\1/')) $precision" ;;
    python:*) local rest=${1#python:}
      local flags=${rest#*:}
      flags=${flags%:*}
      echo "PyTorch $("${rest%%:*}" -c 'import torch; print(torch.__version__.split("+")[0])' 2>/dev/null) $(
        [[ $flags == --compile ]] && echo torch.compile || echo eager) $(
        [[ $precision == bf16 ]] && echo "bf16 autocast" || echo fp32)" ;;
  esac
}
vocab=""
for ((round = 1; round <= rounds; round++)); do
  for ((c = 0; c < ${#contestants[@]}; c++)); do
    contestant=${contestants[c]}
    wait_for_quiet_machine
    precision=${contestant##*:}
    if [[ $contestant == ropelm:* ]]; then
      build=${contestant#ropelm:}
      run_ropelm "c$c.r$round" "${build%:*}/ropelm" "$precision"
      if [[ -z $vocab ]]; then
        "$bin" info --checkpoint "$(last_checkpoint "c$c.r$round")" >"$work/info.txt"
        vocab=$(sed -n 's/.*(vocab \([0-9]*\)).*/\1/p' "$work/info.txt")
        ropelm_params=$(awk '/^parameters/ {print $2}' "$work/info.txt")
      fi
    else
      rest=${contestant#python:}
      flags=${rest#*:}
      run_python "c$c.r$round" "${rest%%:*}" "${flags%:*}" "$precision"
      python_params=$(sed -n 's/.* \([0-9]*\) parameters.*/\1/p' "$work/c$c.r$round.log")
      [[ $ropelm_params == "$python_params" ]] ||
        echo "WARNING: parameter counts differ: ropelm $ropelm_params, python $python_params" >&2
    fi
    echo "round $round: $(label "$contestant") $(median "$work/c$c.r$round.rates") tokens/s (load $load)"
  done
done

# Eval throughput with loading subtracted: score the text once and 8 times over, in each precision (the first
# build's binary, the checkpoint of its first run).
for ((i = 0; i < 8; i++)); do cat data/the-verdict.txt; done >"$work/verdict8.txt"
checkpoint=$(last_checkpoint "c0.r$rounds")
eval_json() {  # $1: text, $2: precision
  "$bin" --threads "$threads" --device "$device" --log-level warn eval --checkpoint "$checkpoint" --data "$1" \
    --precision "$2" --json
}
for ((round = 1; round <= rounds; round++)); do
  for precision in "${precisions[@]}"; do
    wait_for_quiet_machine
    small=$(eval_json data/the-verdict.txt "$precision")
    large=$(eval_json "$work/verdict8.txt" "$precision")
    "$python" - "$small" "$large" "$load" "$round" "$precision" >>"$work/eval.$precision.rates" <<'EOF'
import json, sys
small, large = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rate = (large["tokens"] - small["tokens"]) / (large["seconds"] - small["seconds"])
print(f"{rate:.0f}")
print(f"eval round {sys.argv[4]} {sys.argv[5]}: {large['tokens']} tokens in {large['seconds']:.2f} s, "
      f"{small['tokens']} in {small['seconds']:.2f} s (load {sys.argv[3]}) -> {rate:.0f} tokens/s", file=sys.stderr)
EOF
  done
done
echo "load averages at the start of each run: ${loads[*]}"
echo "median tokens/s over all rounds (CPU: $cpu_name; bf16 flags: ${cpu_bf16:-none}):"
medians=()
for ((c = 0; c < ${#contestants[@]}; c++)); do
  medians+=("$(median "$work"/c$c.r*.rates)")
  printf '  %-44s %8s\n' "$(label "${contestants[c]}")" "${medians[c]}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
for precision in "${precisions[@]}"; do
  eval_median[$precision]=$(median "$work/eval.$precision.rates")
  for ((c = 0; c < ${#contestants[@]}; c++)); do  # the first build's training run in this precision
    [[ ${contestants[c]} == "ropelm:${builds_found[0]}:$precision" ]] && train_c=$c
  done
  echo "eval $precision: median ${eval_median[$precision]} tokens/s forward-only (loading excluded) =" \
    "$(ratio "${eval_median[$precision]}" "${medians[train_c]}")x training's ${medians[train_c]} tokens/s" \
    "($(label "${contestants[train_c]}"))"
done
echo "ratios (one run):"
for ((r = 0; r < ${#contestants[@]}; r++)); do
  for ((c = 0; c < ${#contestants[@]}; c++)); do
    a=${contestants[r]} b=${contestants[c]}
    if [[ $a == ropelm:* && $b == python:* && ${a##*:} == "${b##*:}" ]] ||
      [[ ${a##*:} == bf16 && ${b##*:} == fp32 && ${a%:*} == "${b%:*}" ]]; then
      echo "  $(label "$a") / $(label "$b"): $(ratio "${medians[r]}" "${medians[c]}")"
    fi
  done
done
if [[ -n ${eval_median[bf16]:-} && -n ${eval_median[fp32]:-} ]]; then
  echo "  ropelm eval bf16 / fp32: $(ratio "${eval_median[bf16]}" "${eval_median[fp32]}")"
fi
