// bench_tokenizer.sh's worker: times ropelm, HF tokenizers and tiktoken on the same lines; compares ids.
// Usage: node bench_tokenizer_compare.js CORPUS REPO ROPELM THREADS (tokenizers and tiktoken on NODE_PATH)
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const {
  Tokenizer, WordPiece, BPE, bertNormalizer, bertPreTokenizer, byteLevelPreTokenizer,
} = require('tokenizers');
const { get_encoding } = require('tiktoken');

const [corpusPath, repo, ropelm, threadsArg] = process.argv.slice(2);
const threads = Number(threadsArg);
const corpusBytes = fs.statSync(corpusPath).size;
const megabytes = corpusBytes / 1e6;

// ropelm tokenize --input-format lines splits on "\n" only; a final "\n" starts no line.
function splitLines(text) {
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

function idsText(idLists) {
  return idLists.map((ids) => Array.from(ids).join(' ')).join('\n') + '\n';
}

function seconds(start) {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

// Runs `ropelm tokenize` on the corpus: its wall time, and the encode rate it logs (without loading).
function runRopelm(name, nThreads, args) {
  const start = process.hrtime.bigint();
  const argv = ['--log-level', 'debug', '--threads', String(nThreads), 'tokenize', ...args,
    '--input-format', 'lines'];
  const result = spawnSync(ropelm, argv,
    { stdio: [fs.openSync(corpusPath, 'r'), 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const wall = seconds(start);
  if (result.status !== 0) throw new Error(`${name}: ropelm exited ${result.status}: ${result.stderr}`);
  const logged = /tokenize: .*\(([0-9.]+) MB\/s\)/.exec(result.stderr.toString());
  return { name, threads: nThreads, mbPerS: logged ? Number(logged[1]) : megabytes / wall,
    wallMbPerS: megabytes / wall, output: result.stdout.toString('latin1') };
}

// HF batch-encodes the lines (Rayon: RAYON_NUM_THREADS threads) in batches that bound memory; ids are read
// out of the encodings outside the timed region.
async function runHf(name, tokenizer, lines) {
  const batch = 20000;
  const idLists = [];
  let total = 0;
  for (let i = 0; i < lines.length; i += batch) {
    const start = process.hrtime.bigint();
    const encodings = await tokenizer.encodeBatch(lines.slice(i, i + batch), { addSpecialTokens: false });
    total += seconds(start);
    for (const encoding of encodings) idLists.push(encoding.getIds());
  }
  return { name, threads, mbPerS: megabytes / total, output: idsText(idLists) };
}

// tiktoken's WebAssembly build is single-threaded; <|endoftext|> is matched as ropelm does by default.
function runTiktoken(lines) {
  const encoding = get_encoding('gpt2');
  const idLists = new Array(lines.length);
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines.length; ++i) idLists[i] = encoding.encode(lines[i], 'all');
  const total = seconds(start);
  encoding.free();
  return { name: 'tiktoken gpt2', threads: 1, mbPerS: megabytes / total, output: idsText(idLists) };
}

async function hfBert() {
  const tokenizer = new Tokenizer(await WordPiece.fromFile(`${repo}/data/bert-base-uncased-vocab.txt`,
    { unkToken: '[UNK]' }));
  tokenizer.setNormalizer(bertNormalizer({ lowercase: true }));
  tokenizer.setPreTokenizer(bertPreTokenizer());
  tokenizer.addSpecialTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  return tokenizer;
}

async function hfGpt2() {
  const model = await BPE.fromFile(`${repo}/data/gpt2/encoder.json`, `${repo}/data/gpt2/vocab.bpe`);
  const tokenizer = new Tokenizer(model);
  tokenizer.setPreTokenizer(byteLevelPreTokenizer(false, true));
  tokenizer.addSpecialTokens(['<|endoftext|>']);
  return tokenizer;
}

// Exact equality of the whole output; on a difference, the first differing line of each.
function compare(reference, other) {
  if (reference.output === other.output) return 'identical';
  const a = reference.output.split('\n');
  const b = other.output.split('\n');
  let line = 0;
  while (line < a.length && a[line] === b[line]) ++line;
  return `DIFFER at line ${line + 1}: ${reference.name} [${(a[line] || '').slice(0, 80)}] vs ` +
    `${other.name} [${(b[line] || '').slice(0, 80)}]`;
}

function report(title, rows) {
  console.log(`\n${title}`);
  for (const row of rows) {
    const wall = row.wallMbPerS ? `  (${row.wallMbPerS.toFixed(1)} MB/s with start-up)` : '';
    const rate = row.mbPerS.toFixed(1).padStart(7);
    console.log(`  ${row.name.padEnd(24)} threads ${String(row.threads).padEnd(3)} ${rate} MB/s${wall}`);
  }
  const label = (row) => `${row.name} (${row.threads} thread${row.threads === 1 ? '' : 's'})`;
  for (const row of rows.slice(1)) {
    console.log(`  ids ${label(rows[0])} vs ${label(row)}: ${compare(rows[0], row)}`);
  }
}

async function main() {
  const lines = splitLines(fs.readFileSync(corpusPath, 'utf8'));
  console.log(`corpus: ${megabytes.toFixed(1)} MB, ${lines.length} lines; ${threads} cores`);
  const bertArgs = ['--type', 'wordpiece', '--vocab', `${repo}/data/bert-base-uncased-vocab.txt`,
    '--lowercase', 'true'];
  const gpt2Args = ['--type', 'gpt2', '--vocab', `${repo}/data/gpt2/encoder.json`,
    '--merges', `${repo}/data/gpt2/vocab.bpe`];
  const bert = [runRopelm('ropelm wordpiece', threads, bertArgs), runRopelm('ropelm wordpiece', 1, bertArgs),
    await runHf('HF tokenizers wordpiece', await hfBert(), lines)];
  report('(a) BERT WordPiece, uncased', bert);
  const gpt2 = [runRopelm('ropelm gpt2', threads, gpt2Args), runRopelm('ropelm gpt2', 1, gpt2Args),
    runTiktoken(lines), await runHf('HF tokenizers gpt2', await hfGpt2(), lines)];
  report('(b) GPT-2 byte-level BPE', gpt2);
  const ratio = (a, b) => `${(a.mbPerS / b.mbPerS).toFixed(1)}x`;
  console.log('\nratios (MB/s over MB/s)');
  console.log(`  wordpiece: ropelm ${threads} threads / HF ${threads} threads: ${ratio(bert[0], bert[2])}`);
  console.log(`  gpt2: ropelm ${threads} threads / tiktoken 1 thread:   ${ratio(gpt2[0], gpt2[2])}`);
  console.log(`  gpt2: ropelm 1 thread / tiktoken 1 thread:    ${ratio(gpt2[1], gpt2[2])}`);
  console.log(`  gpt2: ropelm ${threads} threads / HF ${threads} threads:       ${ratio(gpt2[0], gpt2[3])}`);
}

main().catch((error) => {
  console.error(`bench_tokenizer: ${error.message}`);
  process.exit(1);
});
