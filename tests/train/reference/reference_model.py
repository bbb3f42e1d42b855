#!/usr/bin/env python3
"""Whole-model reference for ropelm's ModelVsPyTorch tests (tests/train/model_vs_pytorch_test.cpp).

Written from the papers with plain torch ops (no torch.nn modules, no torch.optim), not from ropelm's C++: it
knows ropelm only through its interface, i.e. the parameter names and shapes in the weights file and the
documented conventions noted below. Computes in float64, so that what the test measures is ropelm's own fp32
rounding rather than the sum of two fp32 roundings.

Usage: reference_model.py DIR
  reads  DIR/weights.safetensors  ropelm's initial parameters under its own names
         DIR/batch.safetensors    inputs and targets (B, T) int64; metadata "config" holds the JSON settings
  writes DIR/reference.safetensors
         logits (B, T, vocab_size), loss (), grad.<parameter> for every parameter (all from the initial weights),
         losses (steps,): the loss before each of `steps` AdamW updates on the same batch.
"""
import json
import math
import os
import struct
import sys

import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "I64": torch.int64}
DTYPE_NAMES = {dtype: name for name, dtype in DTYPES.items()}


# --- safetensors, from its spec: 8-byte little-endian header length, JSON header, raw little-endian data ---

def read_safetensors(path):
    with open(path, "rb") as file:
        data = file.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    metadata = header.pop("__metadata__", {})
    body = data[8 + length:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        flat = torch.frombuffer(bytearray(body[begin:end]), dtype=DTYPES[info["dtype"]])
        tensors[name] = flat.reshape(info["shape"])
    return tensors, metadata


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name, tensor in tensors.items():
        raw = tensor.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPE_NAMES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # the spec pads the header so that the data starts 8-byte aligned
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


# --- the model ---

def rms_norm(x, gain, eps):
    """Zhang & Sennrich 2019, eq. 4: x / RMS(x) * g, with RMS(x) = sqrt(mean(x^2) + eps) (eps inside the root,
    ropelm's and Llama's convention)."""
    return x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps) * gain


def rope_angles(length, head_dim, theta):
    """Su et al. 2021, eq. 15: pair i of a head turns by m * theta^(-2i/d) at position m. (length, head_dim/2)."""
    frequencies = theta ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    return torch.arange(length, dtype=torch.float64)[:, None] * frequencies[None, :]


def rotate(x, angles, style):
    """Rotates every pair (a, b) of x (B, T, heads, head_dim) by its angle: (a cos - b sin, a sin + b cos),
    the 2-D rotation of RoFormer eq. 13. Which coordinates form a pair is the convention: "interleaved" takes
    adjacent coordinates (2i, 2i+1) as RoFormer eq. 34 writes it; "half" pairs i with i + head_dim/2 (the
    rotate-half layout of HF Llama / GPT-NeoX)."""
    cos, sin = angles.cos()[None, :, None, :], angles.sin()[None, :, None, :]
    if style == "interleaved":
        a, b = x[..., 0::2], x[..., 1::2]
        return torch.stack((a * cos - b * sin, a * sin + b * cos), dim=-1).flatten(-2)
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat((a * cos - b * sin, a * sin + b * cos), dim=-1)


def causal_attention(x, w_qkv, w_out, config):
    """Vaswani et al. 2017 eq. 1, softmax(q k^T / sqrt(d_head)) v, with each query blind to later positions.
    Grouped-query attention (Ainslie et al. 2023): n_kv_heads key/value heads, each shared by a group of
    n_heads / n_kv_heads consecutive query heads. ropelm's layout: w_qkv's rows are all query heads, then all
    key heads, then all value heads, each head's rows contiguous; RoPE turns queries and keys only."""
    B, T, _ = x.shape
    n_q, n_kv = config["n_heads"], config["n_kv_heads"]
    d_head = w_out.shape[1] // n_q
    q, k, v = (x @ w_qkv.T).split([n_q * d_head, n_kv * d_head, n_kv * d_head], dim=-1)
    q, k, v = q.reshape(B, T, n_q, d_head), k.reshape(B, T, n_kv, d_head), v.reshape(B, T, n_kv, d_head)
    angles = rope_angles(T, d_head, config["rope_theta"])
    q, k = rotate(q, angles, config["rope_style"]), rotate(k, angles, config["rope_style"])
    group = n_q // n_kv
    k, v = k.repeat_interleave(group, dim=2), v.repeat_interleave(group, dim=2)  # kv head j -> q heads j*group..
    scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(d_head)
    future = torch.ones(T, T, dtype=torch.bool).triu(1)
    weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
    heads = torch.einsum("bhqk,bkhd->bqhd", weights, v)
    return heads.reshape(B, T, n_q * d_head) @ w_out.T


def feed_forward(x, params, prefix):
    """SwiGLU (Shazeer 2020, eq. 6 FFN_SwiGLU): (Swish(x W) * (x V)) W2, Swish = SiLU with beta 1; ropelm fuses W
    and V as the rows [gate | up] of gate_up. Or GPT-2's MLP: GELU (Hendrycks & Gimpel 2016) in its tanh
    approximation, the one GPT-2 uses."""
    if prefix + "gate_up.weight" in params:
        gate, up = (x @ params[prefix + "gate_up.weight"].T).chunk(2, dim=-1)
        hidden = gate * torch.sigmoid(gate) * up
    else:
        h = x @ params[prefix + "up.weight"].T
        hidden = 0.5 * h * (1 + torch.tanh(math.sqrt(2 / math.pi) * (h + 0.044715 * h.pow(3))))
    return hidden @ params[prefix + "down.weight"].T


def logits_of(params, inputs, config):
    """Pre-norm decoder (GPT-2 / Llama): x += attn(norm(x)); x += ffn(norm(x)); final norm; LM head. The head is
    the token embedding itself when tied (Press & Wolf 2017). ropelm pads the embedding table to a multiple of
    pad_vocab_multiple but gives the padded rows no logit: only the first vocab_size rows are scored."""
    eps = config["norm_eps"]
    x = params["tok_embeddings.weight"][inputs]
    for i in range(config["n_layers"]):
        p = "blocks.%d." % i
        x = x + causal_attention(rms_norm(x, params[p + "attn_norm.weight"], eps), params[p + "attn.qkv.weight"],
                                 params[p + "attn.out.weight"], config)
        x = x + feed_forward(rms_norm(x, params[p + "mlp_norm.weight"], eps), params, p + "mlp.")
    x = rms_norm(x, params["norm.weight"], eps)
    head = params.get("lm_head.weight", params["tok_embeddings.weight"])
    return x @ head[:config["vocab_size"]].T


def mean_cross_entropy(logits, targets):
    """Mean over every target token of -log softmax(logits)[target]."""
    log_probs = logits - logits.logsumexp(dim=-1, keepdim=True)
    return -log_probs.gather(-1, targets.unsqueeze(-1)).mean()


# --- the optimizer ---

def decays(name, tensor):
    """ropelm's documented weight-decay groups (nanoGPT's rule): matrices decay, vectors (norm gains) do not,
    nor do embedding tables (unless optim.decay_embeddings, which the test leaves off). An untied lm_head is a
    matrix that is not an embedding, so it decays."""
    return tensor.dim() >= 2 and "embedding" not in name


def clip_gradients(grads, max_norm):
    """Global-norm clipping (Pascanu et al. 2013): scale all gradients by max_norm / ||g|| when ||g|| exceeds it.
    The + 1e-6 in the divisor is torch.nn.utils.clip_grad_norm_'s, which ropelm follows."""
    norm = torch.sqrt(sum(g.pow(2).sum() for g in grads.values()))
    scale = min(1.0, max_norm / (norm.item() + 1e-6))
    return {name: g * scale for name, g in grads.items()}


class AdamW:
    """Loshchilov & Hutter 2019, Algorithm 2 (Adam with decoupled weight decay) at a constant learning rate:
        m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,  m^ = m / (1 - b1^t),  v^ = v / (1 - b2^t)
        theta = theta - lr (m^ / (sqrt(v^) + eps) + wd theta)
    The paper scales its decay by the schedule multiplier eta_t alone; ropelm, like torch.optim.AdamW, by the
    learning rate (lr * wd), which is the convention reproduced here."""

    def __init__(self, params, optim):
        self.params, self.optim, self.t = params, optim, 0
        self.m = {name: torch.zeros_like(p) for name, p in params.items()}
        self.v = {name: torch.zeros_like(p) for name, p in params.items()}

    def step(self, grads):
        o = self.optim
        self.t += 1
        with torch.no_grad():
            for name, p in self.params.items():
                g = grads[name]
                self.m[name] = o["beta1"] * self.m[name] + (1 - o["beta1"]) * g
                self.v[name] = o["beta2"] * self.v[name] + (1 - o["beta2"]) * g * g
                m_hat = self.m[name] / (1 - o["beta1"] ** self.t)
                v_hat = self.v[name] / (1 - o["beta2"] ** self.t)
                decay = o["weight_decay"] * p if decays(name, p) else torch.zeros_like(p)
                p -= o["lr"] * (m_hat / (v_hat.sqrt() + o["eps"]) + decay)


# --- the run ---

def gradients(params, inputs, targets, config):
    """Logits, loss and every parameter's gradient at the current weights."""
    for p in params.values():
        p.grad = None
    logits = logits_of(params, inputs, config)
    loss = mean_cross_entropy(logits, targets)
    loss.backward()
    return logits.detach(), loss.detach(), {name: p.grad.clone() for name, p in params.items()}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    torch.set_num_threads(1)
    directory = sys.argv[1]
    weights, _ = read_safetensors(os.path.join(directory, "weights.safetensors"))
    batch, metadata = read_safetensors(os.path.join(directory, "batch.safetensors"))
    config = json.loads(metadata["config"])
    params = {name: w.double().requires_grad_() for name, w in weights.items()}
    inputs, targets = batch["inputs"], batch["targets"]

    logits, loss, grads = gradients(params, inputs, targets, config)
    out = {"logits": logits, "loss": loss}
    out.update({"grad." + name: g for name, g in grads.items()})
    optimizer = AdamW(params, config["optim"])
    losses = []
    for _ in range(config["optim"]["steps"]):
        _, loss, grads = gradients(params, inputs, targets, config)
        losses.append(loss)
        optimizer.step(clip_gradients(grads, config["optim"]["grad_clip"]))
    out["losses"] = torch.stack(losses)
    write_safetensors(os.path.join(directory, "reference.safetensors"), out)


if __name__ == "__main__":
    main()
