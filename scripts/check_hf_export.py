#!/usr/bin/env python3
"""Checks `ropelm export --format hf` against Hugging Face transformers (CI runs it in .venv-torch2: transformers
5.x, torch 2.x; runs on CPU).

For four models (rope_style half, rope_style interleaved, GQA with an untied head: WordPiece; and GPT-2 BPE)
it trains a tiny checkpoint
(or takes --checkpoint), exports it, loads the export with AutoModelForCausalLM and AutoTokenizer and compares,
on windows of The Verdict:
  token ids   AutoTokenizer with its defaults vs `ropelm tokenize`             equal
  logits      LlamaForCausalLM vs ropelm's forward computed from the checkpoint  max |diff| <= 1e-4 (fp32)
  perplexity  LlamaForCausalLM vs `ropelm eval --json` over the same windows    relative diff <= 0.1%
Without transformers (e.g. Debian's python3-torch), a minimal modeling_llama forward stands in for it and the
token id check is skipped.

usage: check_hf_export.py [--ropelm build/ropelm] [--work DIR] [--steps 30] [--checkpoint DIR]
"""
import argparse
import json
import math
import shutil
import struct
import subprocess
import sys
import tomllib
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
TEXT = ROOT / "data/the-verdict.txt"
CONTEXT, STRIDE = 32, 16  # overlapping windows: each token is scored once, from up to 32 tokens of context
VARIANTS = {
    "half": [],
    "interleaved": ["model.rope_style=interleaved"],
    "gqa": ["model.n_heads=4", "model.n_kv_heads=2", "model.tie_embeddings=false"],
    "gpt2": ["tokenizer.type=gpt2", "tokenizer.vocab=data/gpt2/encoder.json", "tokenizer.merges=data/gpt2/vocab.bpe"],
}


def run(binary, *args, stdin=None):
    return subprocess.run([binary, *args], cwd=ROOT, input=stdin, capture_output=True, text=True, check=True).stdout


def load_safetensors(path):
    try:
        from safetensors.torch import load_file
        return load_file(str(path))
    except ImportError:  # the format is 8 bytes of header length, a JSON header, then raw little-endian data
        raw = Path(path).read_bytes()
        n = struct.unpack("<Q", raw[:8])[0]
        dtypes = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}
        tensors = {}
        for name, info in json.loads(raw[8:8 + n]).items():
            if name != "__metadata__":
                begin, end = info["data_offsets"]
                data = bytearray(raw[8 + n + begin:8 + n + end])
                tensors[name] = torch.frombuffer(data, dtype=dtypes[info["dtype"]]).reshape(info["shape"])
        return tensors


def rms_norm(x, gain, eps):
    return gain * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def attend(q, k, v, n_rep):  # (B, n, T, hs); kv heads repeated as HF's repeat_kv does
    k, v = k.repeat_interleave(n_rep, 1), v.repeat_interleave(n_rep, 1)
    T, hs = q.shape[2], q.shape[3]
    future = torch.ones(T, T, dtype=torch.bool).triu(1)
    scores = (q @ k.transpose(-1, -2) / math.sqrt(hs)).masked_fill(future, -math.inf)
    return (scores.softmax(-1) @ v).transpose(1, 2).flatten(2)


def ropelm_forward(checkpoint, vocab):
    """Transformer::forward (src/model) from the checkpoint itself: fused qkv and gate_up, RoPE in its own style."""
    m = tomllib.loads((checkpoint / "config.toml").read_text())["model"]
    assert m["rope_scaling"] == "none", "this check covers unscaled RoPE"
    w = load_safetensors(checkpoint / "model.safetensors")
    d, nh, eps = m["d_model"], m["n_heads"], m["norm_eps"]
    nkv, hs = m["n_kv_heads"] or nh, d // nh

    def rope(x, cos, sin):  # (B, T, n, hs); half pairs i with i + hs/2, interleaved pairs 2i with 2i + 1
        x1, x2 = (x[..., :hs // 2], x[..., hs // 2:]) if m["rope_style"] == "half" else (x[..., 0::2], x[..., 1::2])
        r1, r2 = x1 * cos - x2 * sin, x1 * sin + x2 * cos
        return torch.cat([r1, r2], -1) if m["rope_style"] == "half" else torch.stack([r1, r2], -1).flatten(-2)

    def forward(ids):
        B, T = ids.shape
        angles = torch.outer(torch.arange(T, dtype=torch.float64),
                             m["rope_theta"] ** (-torch.arange(0, hs, 2, dtype=torch.float64) / hs))
        cos, sin = angles.cos().float()[:, None], angles.sin().float()[:, None]
        h = w["tok_embeddings.weight"][ids]
        for i in range(m["n_layers"]):
            p = f"blocks.{i}."
            qkv = rms_norm(h, w[p + "attn_norm.weight"], eps) @ w[p + "attn.qkv.weight"].T
            qk = rope(qkv[..., :(nh + nkv) * hs].view(B, T, nh + nkv, hs), cos, sin).transpose(1, 2)
            v = qkv[..., (nh + nkv) * hs:].view(B, T, nkv, hs).transpose(1, 2)
            h = h + attend(qk[:, :nh], qk[:, nh:], v, nh // nkv) @ w[p + "attn.out.weight"].T
            gate, up = (rms_norm(h, w[p + "mlp_norm.weight"], eps) @ w[p + "mlp.gate_up.weight"].T).chunk(2, -1)
            h = h + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down.weight"].T
        head = w.get("lm_head.weight", w["tok_embeddings.weight"])[:vocab]  # the padding rows have no logit
        return rms_norm(h, w["norm.weight"], eps) @ head.T

    return forward


def mini_llama(out):
    """modeling_llama's LlamaForCausalLM.forward (rotate_half RoPE, repeat_kv, RMSNorm, SiLU MLP) from the export."""
    c = json.loads((out / "config.json").read_text())
    w = load_safetensors(out / "model.safetensors")
    nh, nkv, hs, eps = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"], c["rms_norm_eps"]

    def rotate_half(x):
        return torch.cat([-x[..., hs // 2:], x[..., :hs // 2]], -1)

    def forward(ids):
        B, T = ids.shape
        inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, hs, 2).float() / hs))
        emb = torch.cat([torch.outer(torch.arange(T).float(), inv_freq)] * 2, -1)
        h = w["model.embed_tokens.weight"][ids]
        for i in range(c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            x = rms_norm(h, w[p + "input_layernorm.weight"], eps)
            q, k, v = ((x @ w[p + f"self_attn.{n}_proj.weight"].T).view(B, T, -1, hs).transpose(1, 2) for n in "qkv")
            q, k = (t * emb.cos() + rotate_half(t) * emb.sin() for t in (q, k))
            h = h + attend(q, k, v, nh // nkv) @ w[p + "self_attn.o_proj.weight"].T
            x = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
            gated = torch.nn.functional.silu(x @ w[p + "mlp.gate_proj.weight"].T) * (x @ w[p + "mlp.up_proj.weight"].T)
            h = h + gated @ w[p + "mlp.down_proj.weight"].T
        head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
        return rms_norm(h, w["model.norm.weight"], eps) @ head.T

    return forward


def load_hf(out):
    """(tokenizer or None, logits function) of the exported directory."""
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        print("  transformers not installed: using the minimal modeling_llama forward, no tokenizer check")
        return None, mini_llama(out)
    model = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    assert type(model).__name__ == "LlamaForCausalLM", type(model).__name__
    return AutoTokenizer.from_pretrained(out), lambda ids: model(input_ids=ids).logits


def eval_windows(n, context, stride):  # src/eval/perplexity.cpp eval_windows: (begin, length, first scored)
    windows, scored_until, begin = [], 0, 0
    while scored_until < n - 1:
        length = min(context, n - 1 - begin)
        windows.append((begin, length, scored_until + 1))
        scored_until, begin = begin + length, begin + stride
    return windows


def summed_nll(logits_fn, ids):
    nll, count = 0.0, 0
    for begin, length, first in eval_windows(len(ids), CONTEXT, STRIDE):
        log_probs = logits_fn(torch.tensor([ids[begin:begin + length]]))[0].double().log_softmax(-1)
        targets = torch.tensor(ids[begin + 1:begin + 1 + length])
        scored = torch.arange(begin + 1, begin + 1 + length) >= first
        nll -= log_probs[torch.arange(length), targets][scored].sum().item()
        count += int(scored.sum())
    return nll, count


def tokenize_args(out):
    """`ropelm tokenize` options reading the exported tokenizer files."""
    if (out / "vocab.json").exists():
        return ["--type", "gpt2", "--vocab", str(out / "vocab.json"), "--merges", str(out / "merges.txt")]
    if (out / "tokenizer.model").exists():
        return ["--type", "sentencepiece", "--vocab", str(out / "tokenizer.model")]
    lowercase = json.loads((out / "tokenizer_config.json").read_text())["do_lower_case"]
    return ["--vocab", str(out / "vocab.txt"), "--lowercase", "true" if lowercase else "false"]


def check(binary, checkpoint, out):
    shutil.rmtree(out, ignore_errors=True)
    run(binary, "export", "--checkpoint", str(checkpoint), "--format", "hf", "--out", str(out))
    text = TEXT.read_text()
    ids = [int(t) for t in run(binary, "tokenize", "--input-format", "whole", *tokenize_args(out), stdin=text).split()]
    tokenizer, hf_logits = load_hf(out)
    ok = True
    if tokenizer is not None:
        hf_ids = tokenizer(text)["input_ids"]  # the defaults a user gets: no special tokens may be added
        ok &= hf_ids == ids
        print(f"  token ids: {'equal' if hf_ids == ids else 'DIFFER'} ({len(ids)} ropelm, {len(hf_ids)} HF)")
    vocab = json.loads((out / "config.json").read_text())["vocab_size"]
    with torch.no_grad():
        batch = torch.tensor([ids[i * CONTEXT:(i + 1) * CONTEXT] for i in range(4)])
        diff = (hf_logits(batch) - ropelm_forward(checkpoint, vocab)(batch)).abs().max().item()
        nll, count = summed_nll(hf_logits, ids)
    ours = json.loads(run(binary, "eval", "--checkpoint", str(checkpoint), "--data", str(TEXT), "--context-length",
                          str(CONTEXT), "--stride", str(STRIDE), "--json"))
    hf_ppl = math.exp(nll / count)
    relative = abs(hf_ppl - ours["perplexity"]) / ours["perplexity"]
    ok &= diff <= 1e-4 and relative <= 1e-3 and count == ours["tokens"]
    print(f"  logits max|diff| {diff:.2e}; perplexity HF {hf_ppl:.6f} ropelm {ours['perplexity']:.6f} "
          f"(relative {relative:.2e}, {count} / {ours['tokens']} tokens)")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ropelm", default=str(ROOT / "build/ropelm"))
    parser.add_argument("--work", default="/tmp/ropelm-hf-check")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--checkpoint", help="check this checkpoint instead of training the three variants")
    args = parser.parse_args()
    work = Path(args.work)
    runs = {"given": Path(args.checkpoint).resolve()} if args.checkpoint else {}
    for name, sets in ({} if args.checkpoint else VARIANTS).items():
        overrides = [x for s in [f"train.steps={args.steps}", *sets] for x in ("--set", s)]
        run(args.ropelm, "train", "--config", "tests/fixtures/cli/train_tiny.toml", *overrides, "--run-dir",
            str(work / name), "--overwrite")
        runs[name] = work / name / "checkpoints" / f"step_{args.steps:08d}"
    failed = []
    for name, checkpoint in runs.items():
        print(f"{name}: {checkpoint}")
        if not check(args.ropelm, checkpoint, work / f"{name}-hf"):
            failed.append(name)
    print("FAILED: " + ", ".join(failed) if failed else "all checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
