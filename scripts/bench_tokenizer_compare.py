"""bench_tokenizer.sh's worker: times ropelm, HF tokenizers and tiktoken (PyPI, native Rust) on the same lines
and compares every id. Usage: python bench_tokenizer_compare.py CORPUS REPO ROPELM THREADS

HF tokenizers' encode_batch runs on RAYON_NUM_THREADS threads and tiktoken's encode_batch on THREADS; both read
ropelm's own vocabulary files (data/), so nothing is downloaded.
"""
import re
import subprocess
import sys
import time

import tiktoken
import tiktoken.load
import tiktoken_ext.openai_public
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers

corpus_path, repo, ropelm, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(corpus_path, "rb") as f:
    raw = f.read()
megabytes = len(raw) / 1e6
text = raw.decode("utf-8")
lines = text.split("\n")  # ropelm tokenize --input-format lines splits on "\n" only; a final "\n" starts none
if text.endswith("\n"):
    lines.pop()


def ids_text(id_lists):
    return "".join(" ".join(map(str, ids)) + "\n" for ids in id_lists)


def run_ropelm(name, n_threads, args):
    """`ropelm tokenize` on the corpus: the encode rate it logs (loading excluded) and its wall-time rate."""
    start = time.perf_counter()
    with open(corpus_path, "rb") as stdin:
        result = subprocess.run([ropelm, "--log-level", "debug", "--threads", str(n_threads), "tokenize", *args,
                                 "--input-format", "lines"], stdin=stdin, capture_output=True, check=True)
    wall = time.perf_counter() - start
    logged = re.search(rb"tokenize: .*\(([0-9.]+) MB/s\)", result.stderr)
    return {"name": name, "threads": n_threads, "mb_per_s": float(logged[1]) if logged else megabytes / wall,
            "wall_mb_per_s": megabytes / wall, "output": result.stdout.decode("latin1")}


def timed(name, n_threads, encode_batch, ids_of=lambda result: result):
    """encode_batch(lines) timed; ids_of (reading ids out of the result objects) runs outside the clock."""
    start = time.perf_counter()
    result = encode_batch(lines)
    seconds = time.perf_counter() - start
    return {"name": name, "threads": n_threads, "mb_per_s": megabytes / seconds, "output": ids_text(ids_of(result))}


def hf_bert():
    vocab = models.WordPiece.read_file(f"{repo}/data/bert-base-uncased-vocab.txt")
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    return tokenizer


def hf_gpt2():
    vocab, merges = models.BPE.read_file(f"{repo}/data/gpt2/encoder.json", f"{repo}/data/gpt2/vocab.bpe")
    tokenizer = Tokenizer(models.BPE(vocab, merges))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens(["<|endoftext|>"])
    return tokenizer


def hf_encode(tokenizer):
    return lambda batch: tokenizer.encode_batch(batch, add_special_tokens=False)


def hf_ids(encodings):
    return [encoding.ids for encoding in encodings]


def tiktoken_gpt2():
    """tiktoken's "gpt2" encoding from the same local files (get_encoding would download them)."""
    ranks = tiktoken.load.data_gym_to_mergeable_bpe_ranks(f"{repo}/data/gpt2/vocab.bpe",
                                                          f"{repo}/data/gpt2/encoder.json")
    return tiktoken.Encoding("gpt2", pat_str=tiktoken_ext.openai_public.r50k_pat_str, mergeable_ranks=ranks,
                             special_tokens={"<|endoftext|>": 50256})


def compare(reference, other):
    if reference["output"] == other["output"]:
        return "identical"
    a, b = reference["output"].split("\n"), other["output"].split("\n")
    line = next(i for i in range(min(len(a), len(b))) if a[i] != b[i])
    return f"DIFFER at line {line + 1}: {reference['name']} [{a[line][:80]}] vs {other['name']} [{b[line][:80]}]"


def report(title, rows):
    print(f"\n{title}")
    for row in rows:
        wall = f"  ({row['wall_mb_per_s']:.1f} MB/s with start-up)" if "wall_mb_per_s" in row else ""
        print(f"  {row['name']:<24} threads {row['threads']:<3} {row['mb_per_s']:7.1f} MB/s{wall}")
    label = lambda row: f"{row['name']} ({row['threads']} thread{'' if row['threads'] == 1 else 's'})"
    for row in rows[1:]:
        print(f"  ids {label(rows[0])} vs {label(row)}: {compare(rows[0], row)}")


print(f"corpus: {megabytes:.1f} MB, {len(lines)} lines; {threads} cores; tokenizers "
      f"{__import__('tokenizers').__version__}, tiktoken {tiktoken.__version__ if hasattr(tiktoken, '__version__') else ''}")
bert_args = ["--type", "wordpiece", "--vocab", f"{repo}/data/bert-base-uncased-vocab.txt", "--lowercase", "true"]
gpt2_args = ["--type", "gpt2", "--vocab", f"{repo}/data/gpt2/encoder.json", "--merges", f"{repo}/data/gpt2/vocab.bpe"]
bert = [run_ropelm("ropelm wordpiece", threads, bert_args), run_ropelm("ropelm wordpiece", 1, bert_args),
        timed("HF tokenizers wordpiece", threads, hf_encode(hf_bert()), hf_ids)]
report("(a) BERT WordPiece, uncased", bert)
encoding = tiktoken_gpt2()
gpt2 = [run_ropelm("ropelm gpt2", threads, gpt2_args), run_ropelm("ropelm gpt2", 1, gpt2_args),
        timed("tiktoken gpt2", threads,
              lambda batch: encoding.encode_batch(batch, num_threads=threads, allowed_special="all")),
        timed("tiktoken gpt2", 1, lambda batch: [encoding.encode(t, allowed_special="all") for t in batch]),
        timed("HF tokenizers gpt2", threads, hf_encode(hf_gpt2()), hf_ids)]
report("(b) GPT-2 byte-level BPE", gpt2)
ratio = lambda a, b: f"{a['mb_per_s'] / b['mb_per_s']:.2f}x"
print("\nratios (MB/s over MB/s, one run)")
print(f"  wordpiece: ropelm {threads} threads / HF tokenizers {threads} threads: {ratio(bert[0], bert[2])}")
print(f"  gpt2: ropelm {threads} threads / tiktoken {threads} threads:     {ratio(gpt2[0], gpt2[2])}")
print(f"  gpt2: ropelm 1 thread / tiktoken 1 thread:           {ratio(gpt2[1], gpt2[3])}")
print(f"  gpt2: ropelm {threads} threads / HF tokenizers {threads} threads:      {ratio(gpt2[0], gpt2[4])}")
