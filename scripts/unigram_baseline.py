#!/usr/bin/env python3
"""Unigram baseline perplexity of a config's validation split: what a model that ignores context scores.

Usage: scripts/unigram_baseline.py CONFIG [ROPELM]   (ROPELM default build/ropelm; no torch needed)

Tokenises data.train (one file) with `ropelm tokenize --input-format whole`, splits off the last
floor(N · data.val_fraction) tokens as ropelm's corpus does, and scores the validation tokens after the first
(the ones `ropelm eval` scores) under unigram frequencies of the training tokens:
  maximum likelihood, with a token unseen in training counted as 0.5 (so that the perplexity is finite);
  add-one (Laplace) over the whole vocabulary.
"""
import json
import math
import subprocess
import sys
import tomllib
from collections import Counter


def vocab_size(tokenizer):
    if tokenizer["type"] == "wordpiece":
        return sum(1 for _ in open(tokenizer["vocab"], encoding="utf-8"))
    if tokenizer["type"] == "gpt2":
        return len(json.load(open(tokenizer["vocab"], encoding="utf-8")))
    sys.exit("unigram_baseline: add-one needs the vocabulary size: wordpiece or gpt2 only")


def main():
    config_path = sys.argv[1]
    ropelm = sys.argv[2] if len(sys.argv) > 2 else "build/ropelm"
    resolved = subprocess.run([ropelm, "config", "--config", config_path], check=True, capture_output=True).stdout
    config = tomllib.loads(resolved.decode())
    data = config["data"]
    if len(data["train"]) != 1 or data["val"] or data["val_fraction"] <= 0:
        sys.exit("unigram_baseline: needs one data.train file and a val_fraction split")
    with open(data["train"][0], "rb") as text:
        ids = subprocess.run([ropelm, "tokenize", "--config", config_path, "--input-format", "whole"],
                             stdin=text, check=True, capture_output=True).stdout.split()
    n_val = math.floor(len(ids) * data["val_fraction"])
    train, scored = ids[:len(ids) - n_val], ids[len(ids) - n_val + 1:]
    counts = Counter(train)
    vocab = vocab_size(config["tokenizer"])
    ml = sum(math.log(counts.get(t, 0.5) / len(train)) for t in scored)
    add_one = sum(math.log((counts.get(t, 0) + 1) / (len(train) + vocab)) for t in scored)
    print(f"{config_path}: {len(train)} training tokens, {len(scored)} validation tokens scored, "
          f"{sum(t not in counts for t in scored)} of them unseen in training")
    print(f"unigram perplexity: {math.exp(-ml / len(scored)):.1f} (maximum likelihood, unseen = 0.5), "
          f"{math.exp(-add_one / len(scored)):.1f} (add-one over {vocab} vocabulary entries)")


if __name__ == "__main__":
    main()
