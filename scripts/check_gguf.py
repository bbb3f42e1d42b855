#!/usr/bin/env python3
"""Checks `ropelm export --format gguf` against llama.cpp (run by scripts/check_gguf.sh, which builds the venv).

Runs under a Python with torch (Debian's python3-torch will do) and reuses check_hf_export.py's reference forward
(Transformer::forward from the checkpoint itself) and eval windows; llama.cpp runs in a worker process under the
venv's Python (llama-cpp-python, gguf), started with --llama-worker. For each model it trains a tiny checkpoint,
exports f32 GGUF and compares (GPT-2 BPE, sentencepiece BPE, and WordPiece as llama.cpp's `bert`):
  gguf reader        gguf.GGUFReader opens the file: architecture llama, every tensor
  token ids          llama.cpp's tokenizer vs `ropelm tokenize`, on the test texts          equal
  logits             llama.cpp vs the reference forward, every position of each prompt    max|diff| <= 1e-4 max|logit|
  greedy             llama.cpp's argmax continuation, decoded by ropelm, vs `ropelm generate --temperature 0`
  perplexity         llama.cpp's logits over eval windows vs `ropelm eval --json`         relative <= 1e-5
(the last ties the reference to ropelm's own C++ forward).

usage: check_gguf.py --venv-python VENV/bin/python [--ropelm build/ropelm] [--work DIR] [--steps 30]
"""
import argparse
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = ROOT / "data/the-verdict.txt"
PROMPTS = ["I had always thought Jack Gisburn rather a cheap genius", "The height of his glory",
           "she said", "It was not till three years later that, in the course of a few weeks"]
NEW_TOKENS = 8
# GPT-2 is byte-level: any text. The sentencepiece model knows only the characters of The Verdict, and llama.cpp's
# llama tokenizer neither collapses repeated spaces nor maps newlines as sentencepiece does: single-spaced lines.
EXTRA_GPT2_TEXTS = ["Don't you think it's 1,234.5 degrees? I'll say: naïve café, 日本語 and emoji 🙂.", "  two  spaces\n"]


def llama_worker():
    """The venv side: one request on stdin (model, texts, id lists, greedy prompts); JSON on stdout, logits in npz."""
    import gguf
    import llama_cpp
    import numpy as np
    request = json.load(sys.stdin)
    reader = gguf.GGUFReader(request["model"])
    arch = reader.fields["general.architecture"].contents()
    model = reader.fields["tokenizer.ggml.model"].contents()
    llm = llama_cpp.Llama(model_path=request["model"], n_ctx=request["n_ctx"], n_batch=request["n_ctx"],
                          n_ubatch=request["n_ctx"], logits_all=True, n_threads=1, n_threads_batch=1,
                          type_k=0, type_v=0, flash_attn=False, verbose=False)  # F32 KV cache: no fp16 rounding
    tokens = [llm.tokenize(text.encode(), add_bos=False, special=False) for text in request["texts"]]
    vocab = reader.fields["tokenizer.ggml.tokens"].contents()
    special = {k: reader.fields[f"tokenizer.ggml.{k}_token_id"].contents()
               for k in ("bos", "unknown", "eos") if f"tokenizer.ggml.{k}_token_id" in reader.fields}
    never = never_sample(vocab, special.get("bos"), special.get("unknown"), special["eos"])
    logits = {}
    for i, ids in enumerate(request["logits"]):
        llm.reset()
        llm.eval(ids)
        logits[f"l{i}"] = np.array(llm.scores[:len(ids)], dtype=np.float32)
    greedy = []
    for ids in request["greedy"]:
        llm.reset()
        llm.eval(ids)
        out = []
        while len(out) < request["new_tokens"]:
            scores = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float64)
            scores[never] = -np.inf
            out.append(int(scores.argmax()))
            if out[-1] == special["eos"]:
                break
            llm.eval(out[-1:])
        greedy.append(out)
    np.savez(request["npz"], **logits)
    json.dump({"architecture": arch, "tokenizer": model, "tensors": len(reader.tensors), "tokens": tokens,
               "greedy": greedy, "n_vocab": llm.n_vocab()}, sys.stdout)


def run(binary, *args, stdin=None):
    return subprocess.run([binary, *args], cwd=ROOT, input=stdin, capture_output=True, text=True, check=True).stdout


def ropelm_ids(binary, checkpoint, text):
    return [int(t) for t in run(binary, "tokenize", "--input-format", "whole", "--config",
                                str(checkpoint / "config.toml"), stdin=text).split()]


def never_sample(tokens, bos, unk, eos):
    """The ids src/eval/generate.cpp's unsampled_ids keeps greedy decoding from choosing."""
    structural = {"[PAD]", "[UNK]", "[CLS]", "[MASK]", "<pad>", "<unk>", "<s>", "<mask>"}
    ids = {i for i, t in enumerate(tokens) if t in structural} | {i for i in (bos, unk) if i is not None}
    return sorted(ids - {eos})


def check(binary, python, checkpoint, out, texts):
    import numpy as np
    import torch
    from check_hf_export import eval_windows, ropelm_forward, summed_nll, CONTEXT, STRIDE
    out.unlink(missing_ok=True)
    run(binary, "export", "--checkpoint", str(checkpoint), "--format", "gguf", "--dtype", "f32", "--out", str(out))
    corpus_ids = ropelm_ids(binary, checkpoint, TEXT.read_text())
    prompt_ids = [ropelm_ids(binary, checkpoint, p) for p in PROMPTS]
    windows = [corpus_ids[b:b + n] for b, n, _ in eval_windows(len(corpus_ids), CONTEXT, STRIDE)]
    request = {"model": str(out), "n_ctx": 64, "texts": texts + PROMPTS, "logits": prompt_ids + windows,
               "greedy": prompt_ids, "new_tokens": NEW_TOKENS, "npz": str(out.with_suffix(".npz"))}
    reply = json.loads(subprocess.run([python, __file__, "--llama-worker"], input=json.dumps(request),
                                      capture_output=True, text=True, check=True).stdout)
    llama_logits = np.load(request["npz"])
    ok = reply["architecture"] == "llama"
    print(f"  gguf: architecture {reply['architecture']}, tokenizer {reply['tokenizer']}, {reply['tensors']} tensors,"
          f" llama.cpp n_vocab {reply['n_vocab']}")

    same = [reply["tokens"][i] == ropelm_ids(binary, checkpoint, t) for i, t in enumerate(texts + PROMPTS)]
    ok &= all(same)
    print(f"  token ids: {sum(same)} / {len(same)} texts equal"
          f" ({sum(len(t) for t in reply['tokens'])} tokens in all)")

    forward = ropelm_forward(checkpoint, reply["n_vocab"])
    worst = 0.0
    with torch.no_grad():
        for i, ids in enumerate(prompt_ids):
            ref = forward(torch.tensor([ids]))[0].double()
            diff = (torch.from_numpy(llama_logits[f"l{i}"]).double() - ref).abs().max().item()
            worst = max(worst, diff / ref.abs().max().item())
    ok &= worst <= 1e-4
    print(f"  logits: max|diff| / max|logit| {worst:.2e} over {len(prompt_ids)} prompts, every position")

    greedy_same = 0
    for ids, continuation, prompt in zip(prompt_ids, reply["greedy"], PROMPTS):
        decoded = run(binary, "tokenize", "--decode", "--config", str(checkpoint / "config.toml"),
                      stdin=" ".join(map(str, ids + continuation)) + "\n").rstrip("\n")
        generated = run(binary, "generate", "--checkpoint", str(checkpoint), "--prompt", prompt, "--max-new-tokens",
                        str(len(continuation)), "--temperature", "0")
        generated = generated.rstrip("\n")
        greedy_same += decoded == generated
        if decoded != generated:
            print(f"    greedy differs: llama.cpp {decoded!r} ropelm {generated!r}")
    ok &= greedy_same == len(prompt_ids)
    print(f"  greedy: {greedy_same} / {len(prompt_ids)} continuations of {NEW_TOKENS} tokens equal")

    by_window = {tuple(w): llama_logits[f"l{len(prompt_ids) + i}"] for i, w in enumerate(windows)}
    nll, count = summed_nll(lambda batch: torch.from_numpy(by_window[tuple(batch[0].tolist())])[None], corpus_ids)
    ours = json.loads(run(binary, "eval", "--checkpoint", str(checkpoint), "--data", str(TEXT), "--context-length",
                          str(CONTEXT), "--stride", str(STRIDE), "--json"))
    relative = abs(nll / count - ours["nll"]) / ours["nll"]
    ok &= relative <= 1e-5 and count == ours["tokens"]
    print(f"  perplexity: llama.cpp {math.exp(nll / count):.6f} ropelm {ours['perplexity']:.6f} "
          f"(nll relative {relative:.1e}, {count} / {ours['tokens']} tokens, {len(windows)} windows)")
    return ok


def main():
    if sys.argv[1:] == ["--llama-worker"]:
        return llama_worker()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv-python", required=True, help="the Python with llama_cpp and gguf")
    parser.add_argument("--ropelm", default=str(ROOT / "build/ropelm"))
    parser.add_argument("--work", default="/tmp/ropelm-gguf-check")
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    spm = work / "verdict-bpe.model"
    run(args.ropelm, "vocab", "build", "--corpus", str(TEXT), "--size", "1000", "--lowercase", "false", "--out",
        str(work / "verdict-wordpiece.txt"), "--sentencepiece-model", str(spm))
    lines = [" ".join(line.split()) for line in TEXT.read_text().splitlines() if line.strip()][:40]
    models = {
        # GQA and an untied head: attn_k's rows permute over the KV heads, and `output` is written.
        "gpt2": (["tokenizer.type=gpt2", "tokenizer.vocab=data/gpt2/encoder.json", "tokenizer.merges=data/gpt2/vocab.bpe",
                  "model.n_heads=4", "model.n_kv_heads=2", "model.tie_embeddings=false"],
                 [TEXT.read_text(), *EXTRA_GPT2_TEXTS]),
        "sentencepiece": ([f"tokenizer.type=sentencepiece", f"tokenizer.vocab={spm}"], lines),
        # The fixture's tokenizer: bert-base-uncased WordPiece, as llama.cpp's WPM (`bert`).
        "wordpiece": ([], [TEXT.read_text(), "Caf\u00e9 na\u00efve R\u00e9sum\u00e9, don't: 3.14!"]),
    }
    failed = []
    for name, (sets, texts) in models.items():
        overrides = [x for s in [f"train.steps={args.steps}", *sets] for x in ("--set", s)]
        shutil.rmtree(work / name, ignore_errors=True)  # a fresh run each time
        run(args.ropelm, "train", "--config", "tests/fixtures/cli/train_tiny.toml", *overrides, "--run-dir",
            str(work / name))
        checkpoint = work / name / "checkpoints" / f"step_{args.steps:08d}"
        print(f"{name}: {checkpoint}")
        if not check(args.ropelm, args.venv_python, checkpoint, work / f"{name}.gguf", texts):
            failed.append(name)
    print("FAILED: " + ", ".join(failed) if failed else "all checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
