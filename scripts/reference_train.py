#!/usr/bin/python3
"""The reference for scripts/bench_train.sh: ropelm's model and training step in plain PyTorch eager.

Same architecture as src/model (pre-norm RMSNorm blocks, fused qkv Linear without bias, rotate-half RoPE,
causal attention by explicit masked softmax, SwiGLU with gate and up fused, tied embeddings over a padded
vocabulary whose head multiplies only the real rows, GPT-2 initialisation), the same step as
src/train/train_step.cpp (summed cross-entropy / tokens, clip_grad_norm_ 1.0, finiteness check, AdamW with
decay only on non-embedding matrices, warmup-cosine lr), fp32. Prints one line per step:
  step N loss L tokens_per_s R
Run it with Debian's /usr/bin/python3 (torch 1.13) on CPU; --device cuda (and --compile, torch >= 2.0) are
for a GPU machine.

--byte-text FILE trains on the file's bytes (ids 0-255, vocabulary 257 as ropelm's tokenizer.type = bytes)
with nanoGPT's split (the first int(0.9 n) bytes train, the rest validate) and, at the end, prints the loss
on the whole validation split in non-overlapping windows of --context tokens (ropelm eval's default windows):
  val_loss L tokens N
and always, last, the summed step time:
  train_s S
"""
import argparse
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        xf = x.float()
        inv_rms = xf.square().mean(-1, keepdim=True).add_(self.eps).rsqrt_()
        return (xf * inv_rms).to(x.dtype) * self.weight


def rope_tables(head_dim, length, theta=10000.0, device="cpu"):
    # fp64 angles, fp32 tables of shape (T, 1, hs/2), as rotary_embedding.cpp.
    exponents = torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim
    inv_freq = torch.pow(theta, -exponents)
    angles = torch.outer(torch.arange(length, dtype=torch.float64), inv_freq)
    return angles.cos().float().unsqueeze(1).to(device), angles.sin().float().unsqueeze(1).to(device)


def apply_rotary(x, cos, sin):
    # rotate-half: pairs dimension i with i + hs/2; x (B, T, n, hs)
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1).to(x.dtype)


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads, self.head_dim = n_heads, d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.out = nn.Linear(d_model, d_model, bias=False)

    def forward(self, x, cos, sin, blocked):
        B, T, C = x.shape
        nh, hs = self.n_heads, self.head_dim
        qkv = self.qkv(x)
        qk = apply_rotary(qkv[..., : 2 * C].view(B, T, 2 * nh, hs), cos, sin)  # q and k in one rotation
        q = qk[:, :, :nh].transpose(1, 2)  # (B, nh, T, hs)
        k = qk[:, :, nh:].transpose(1, 2)
        v = qkv[..., 2 * C :].view(B, T, nh, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)).mul_(1.0 / math.sqrt(hs))  # (B, nh, T, T)
        att = att.masked_fill_(blocked, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        return self.out(y)


class MLP(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        hidden = (8 * d_model // 3 + 63) // 64 * 64
        self.gate_up = nn.Linear(d_model, 2 * hidden, bias=False)
        self.down = nn.Linear(hidden, d_model, bias=False)

    def forward(self, x):
        gate, up = self.gate_up(x).chunk(2, dim=-1)
        return self.down(F.silu(gate) * up)


class Block(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.attn_norm, self.attn = RMSNorm(d_model), CausalSelfAttention(d_model, n_heads)
        self.mlp_norm, self.mlp = RMSNorm(d_model), MLP(d_model)

    def forward(self, x, cos, sin, blocked):
        x = x + self.attn(self.attn_norm(x), cos, sin, blocked)
        return x + self.mlp(self.mlp_norm(x))


class Transformer(nn.Module):
    def __init__(self, vocab_size, d_model, n_layers, n_heads, context, pad_multiple=64, init_std=0.02):
        super().__init__()
        self.vocab_size = vocab_size
        padded = (vocab_size + pad_multiple - 1) // pad_multiple * pad_multiple
        self.tok_embeddings = nn.Embedding(padded, d_model)
        self.blocks = nn.ModuleList(Block(d_model, n_heads) for _ in range(n_layers))
        self.norm = RMSNorm(d_model)
        cos, sin = rope_tables(d_model // n_heads, context)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        blocked = torch.ones(context, context, dtype=torch.bool).triu(1)
        self.register_buffer("blocked", blocked, persistent=False)
        residual_std = init_std / math.sqrt(2 * n_layers)  # GPT-2: scaled residual projections
        for name, p in self.named_parameters():
            if name.endswith("attn.out.weight") or name.endswith("mlp.down.weight"):
                nn.init.normal_(p, 0.0, residual_std)
            elif p.dim() == 2:
                nn.init.normal_(p, 0.0, init_std)

    def forward(self, idx):
        T = idx.size(1)
        x = self.tok_embeddings(idx)
        cos, sin, blocked = self.cos[:T], self.sin[:T], self.blocked[:T, :T]
        for block in self.blocks:
            x = block(x, cos, sin, blocked)
        # tied head over the real rows only
        return F.linear(self.norm(x), self.tok_embeddings.weight[: self.vocab_size])


def lr_at(step, total, peak, floor, warmup):
    if step <= warmup:
        return peak * step / warmup
    progress = min(max((step - warmup) / max(1, total - warmup), 0.0), 1.0)
    return floor + 0.5 * (1.0 + math.cos(math.pi * progress)) * (peak - floor)


def load_tokens(path, vocab_size, count):
    """Training tokens, and validation tokens (None without --byte-text)."""
    if path:
        with open(path) as f:
            return torch.tensor([int(t) for t in f.read().split()], dtype=torch.long)
    return torch.randint(vocab_size, (count,), dtype=torch.long)


def load_byte_text(path):
    with open(path, "rb") as f:
        data = torch.tensor(list(f.read()), dtype=torch.long)
    n_train = int(len(data) * 0.9)  # nanoGPT's data/shakespeare_char/prepare.py
    return data[:n_train], data[n_train:]


@torch.no_grad()
def validation_loss(model, val, T, device):
    # Windows val[s : s + T + 1] for s = 0, T, 2T, ...: every token after the first is scored once.
    model.eval()
    nll, count = 0.0, 0
    for s in range(0, len(val) - 1, T):
        row = val[s : s + T + 1]
        x, y = row[:-1].unsqueeze(0).to(device), row[1:].unsqueeze(0).to(device)
        logits = model(x)
        nll += F.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), y.reshape(-1), reduction="sum").item()
        count += y.numel()
    model.train()
    return nll / count, count


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vocab-size", type=int, default=30522)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--n-layers", type=int, default=4)
    ap.add_argument("--n-heads", type=int, default=4)
    ap.add_argument("--context", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--min-lr", type=float, default=3e-4)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--beta2", type=float, default=0.95)
    ap.add_argument("--byte-text", default="", help="train on this file's bytes (vocabulary 257), 90/10 split")
    ap.add_argument("--threads", type=int, default=0, help="intra-op CPU threads, 0 = all cores")
    ap.add_argument("--tokens", default="", help="file of whitespace-separated token ids; default random")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (torch >= 2.0)")
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast for the forward pass (fp32 weights)")
    ap.add_argument("--seed", type=int, default=1337)
    args = ap.parse_args()

    if args.byte_text:
        args.vocab_size = 257  # bytes and <|endoftext|>, as ropelm's byte tokenizer
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads if args.threads > 0 else os.cpu_count())
    device = torch.device(args.device)
    model = Transformer(args.vocab_size, args.d_model, args.n_layers, args.n_heads, args.context).to(device)
    step_model = model
    if args.compile:
        if int(torch.__version__.split(".")[0]) < 2:
            raise SystemExit(f"--compile needs torch >= 2.0 (this is {torch.__version__})")
        step_model = torch.compile(model)

    # Decay matrices only, never the embedding (ropelm's optim.decay_embeddings = false).
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "embedding" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "embedding" not in n)]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr, betas=(0.9, args.beta2), eps=1e-8)

    B, T = args.batch_size, args.context
    val = None
    if args.byte_text:
        tokens, val = load_byte_text(args.byte_text)
    else:
        tokens = load_tokens(args.tokens, args.vocab_size, 100_000)
    print(f"torch {torch.__version__}, device {device}, {torch.get_num_threads()} threads, "
          f"{sum(p.numel() for p in model.parameters())} parameters, {len(tokens)} tokens", flush=True)
    train_s = 0.0
    for step in range(1, args.steps + 1):
        t0 = time.perf_counter()
        starts = torch.randint(len(tokens) - T - 1, (B,))
        windows = torch.stack([tokens[s : s + T + 1] for s in starts.tolist()])
        x, y = windows[:, :-1].to(device), windows[:, 1:].to(device)
        lr = lr_at(step, args.steps, args.lr, args.min_lr, args.warmup)
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.bf16):
            logits = step_model(x)
        nll = F.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), y.reshape(-1), reduction="sum")
        (nll / y.numel()).backward()
        loss = nll.detach() / y.numel()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        if torch.isfinite(grad_norm).item() and torch.isfinite(loss).item():
            optimizer.step()
        loss_value = loss.item()
        if device.type == "cuda":
            torch.cuda.synchronize()
        dt = time.perf_counter() - t0
        train_s += dt
        print(f"step {step} loss {loss_value:.4f} tokens_per_s {B * T / dt:.1f}", flush=True)
    if val is not None:
        val_loss, count = validation_loss(model, val, T, device)
        print(f"val_loss {val_loss:.6f} tokens {count}", flush=True)
    print(f"train_s {train_s:.3f}", flush=True)


if __name__ == "__main__":
    main()
