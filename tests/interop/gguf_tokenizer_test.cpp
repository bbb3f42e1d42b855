// tokenizer.ggml.* for each tokenizer kind: what llama.cpp reads (tokens in vocabulary order, GPT-2's merges
// and pre-tokenizer, sentencepiece's scores and types as the .model file has them, WordPiece in llama.cpp's
// phantom-space form), refusals, and the tokenizer files import writes back giving the original ids.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "interop/gguf_sentencepiece_model.h"
#include "interop/gguf_tokenizer.h"
#include "support/temp_dir.h"
#include "tokenizer/sentencepiece_library.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm::testing {
namespace {

using ::testing::HasSubstr;
const std::string kSource = ROPELM_SOURCE_DIR;

TokenizerConfig gpt2_config() {
  TokenizerConfig config;
  config.type = TokenizerKind::kGpt2;
  config.vocab = kSource + "/data/gpt2/encoder.json";
  config.merges = kSource + "/data/gpt2/vocab.bpe";
  return config;
}

TokenizerConfig wordpiece_config() {
  TokenizerConfig config;
  config.vocab = kSource + "/data/bert-base-uncased-vocab.txt";
  return config;
}

// A sentencepiece model of The Verdict, trained once per test process.
TokenizerConfig sentencepiece_config(const std::string& model_type) {
  static TempDir dir;
  const auto prefix = dir / model_type;
  if (!std::filesystem::exists(prefix.string() + ".model"))
    train_sentencepiece("--input=" + kSource + "/data/the-verdict.txt --model_prefix=" + prefix.string() +
                        " --model_type=" + model_type +
                        " --vocab_size=400 --character_coverage=1.0 --normalization_rule_name=identity"
                        " --num_threads=1 --hard_vocab_limit=false");
  TokenizerConfig config;
  config.type = TokenizerKind::kSentencePiece;
  config.vocab = prefix.string() + ".model";
  return config;
}

GgufFile tokenizer_file(const TokenizerConfig& config) {
  GgufFile file;
  add_tokenizer_metadata(file, config, *make_tokenizer(config));
  return file;
}

// The tokenizer import reconstructs from the file.
std::unique_ptr<Tokenizer> reimported(const GgufFile& file, const TempDir& dir, TokenizerKind type) {
  write_tokenizer_files_from_gguf(file, dir.path());
  TokenizerConfig config;
  config.type = type;
  config.vocab = (dir / (type == TokenizerKind::kGpt2            ? "vocab.json"
                         : type == TokenizerKind::kSentencePiece ? "tokenizer.model"
                                                                 : "vocab.txt"))
                     .string();
  if (type == TokenizerKind::kGpt2) config.merges = (dir / "merges.txt").string();
  return make_tokenizer(config);
}

const std::string& verdict() {
  static const std::string text = read_file(kSource + "/data/the-verdict.txt");
  return text;
}

TEST(GgufTokenizer, Gpt2IsLlamaCppsBpeWithItsMerges) {
  auto tokenizer = make_tokenizer(gpt2_config());
  GgufFile file = tokenizer_file(gpt2_config());
  EXPECT_EQ(*gguf_string(file, "tokenizer.ggml.model", true), "gpt2");
  EXPECT_EQ(*gguf_string(file, "tokenizer.ggml.pre", true), "gpt-2");
  auto tokens = gguf_string_array(file, "tokenizer.ggml.tokens");
  ASSERT_EQ(tokens.size(), 50257u);
  EXPECT_EQ(tokens[40], "I");
  EXPECT_EQ(tokens[262], "\xC4\xA0the");  // "Ġthe": the byte-level alphabet, as vocab.json has it
  auto merges = gguf_string_array(file, "tokenizer.ggml.merges");
  EXPECT_EQ(merges.size(), 50000u);
  EXPECT_EQ(merges[0], "\xC4\xA0 t");
  EXPECT_EQ(gguf_number_array(file, "tokenizer.ggml.token_type")[50256], 3);  // <|endoftext|> is control
  EXPECT_EQ(*gguf_uint(file, "tokenizer.ggml.bos_token_id", true), 50256u);
  EXPECT_EQ(*gguf_uint(file, "tokenizer.ggml.eos_token_id", true), 50256u);
  EXPECT_FALSE(*gguf_bool(file, "tokenizer.ggml.add_bos_token", true));
  TempDir dir;
  EXPECT_EQ(reimported(file, dir, TokenizerKind::kGpt2)->encode(verdict()), tokenizer->encode(verdict()));
}

TEST(GgufTokenizer, SentencepieceCarriesScoresAndTypesOfTheModelFile) {
  const TokenizerConfig config = sentencepiece_config("bpe");
  auto tokenizer = make_tokenizer(config);
  GgufFile file = tokenizer_file(config);
  EXPECT_EQ(*gguf_string(file, "tokenizer.ggml.model", true), "llama");
  auto tokens = gguf_string_array(file, "tokenizer.ggml.tokens");
  auto scores = gguf_number_array(file, "tokenizer.ggml.scores");
  auto types = gguf_number_array(file, "tokenizer.ggml.token_type");
  ASSERT_EQ(tokens.size(), static_cast<size_t>(tokenizer->vocab_size()));
  for (TokenId id = 0; id < tokenizer->vocab_size(); ++id) EXPECT_EQ(tokens[id], tokenizer->token(id));
  EXPECT_EQ(types[0], 2);  // <unk>
  EXPECT_EQ(types[1], 3);  // <s>
  EXPECT_EQ(types[2], 3);  // </s>
  EXPECT_EQ(types[3], 1);
  // BPE scores are minus the merge order: non-increasing over the merged pieces.
  EXPECT_GT(scores[3], scores[50]);
  SentencePieceModel shim_model(config.vocab);
  EXPECT_EQ(*gguf_uint(file, "tokenizer.ggml.unknown_token_id", true), 0u);
  EXPECT_EQ(*gguf_uint(file, "tokenizer.ggml.eos_token_id", true),
            static_cast<uint64_t>(*shim_model.eos_id()));
  EXPECT_TRUE(*gguf_bool(file, "tokenizer.ggml.add_space_prefix", true));
  TempDir dir;
  auto back = reimported(file, dir, TokenizerKind::kSentencePiece);
  EXPECT_EQ(back->encode(verdict()), tokenizer->encode(verdict()));
  EXPECT_EQ(back->vocab_size(), tokenizer->vocab_size());
}

TEST(GgufTokenizer, SentencepieceModelFileRoundTrips) {
  const std::string bytes = read_file(sentencepiece_config("bpe").vocab);
  SpmModelProto model = parse_sentencepiece_model(bytes, "m");
  EXPECT_EQ(model.model_type, kSentencePieceBpe);
  EXPECT_EQ(model.normalizer_name, "identity");
  SpmModelProto back = parse_sentencepiece_model(serialize_sentencepiece_model(model), "m");
  ASSERT_EQ(back.pieces.size(), model.pieces.size());
  for (size_t i = 0; i < model.pieces.size(); ++i) {
    EXPECT_EQ(back.pieces[i].piece, model.pieces[i].piece);
    EXPECT_EQ(back.pieces[i].score, model.pieces[i].score);
    EXPECT_EQ(back.pieces[i].type, model.pieces[i].type);
  }
  EXPECT_THAT([] { parse_sentencepiece_model(std::string("\x0a\xff\xff\xff\x0f", 5), "junk.model"); },
              ::testing::ThrowsMessage<UserError>(HasSubstr("junk.model is not a sentencepiece model")));
}

TEST(GgufTokenizer, UnigramSentencepieceIsRefused) {
  EXPECT_THAT([] { tokenizer_file(sentencepiece_config("unigram")); },
              ::testing::ThrowsMessage<UserError>(HasSubstr("is not a BPE sentencepiece model")));
}

TEST(GgufTokenizer, WordPieceInLlamaCppsPhantomSpaceForm) {
  auto tokenizer = make_tokenizer(wordpiece_config());
  GgufFile file = tokenizer_file(wordpiece_config());
  EXPECT_EQ(*gguf_string(file, "tokenizer.ggml.model", true), "bert");
  auto tokens = gguf_string_array(file, "tokenizer.ggml.tokens");
  EXPECT_EQ(tokens[101], "[CLS]");
  EXPECT_EQ(tokens[7592], "\xE2\x96\x81hello");  // word-initial: U+2581 prefix
  EXPECT_EQ(tokens[2075], "ing");                // "##ing": continuation, bare
  auto types = gguf_number_array(file, "tokenizer.ggml.token_type");
  EXPECT_EQ(types[100], 2);  // [UNK]
  EXPECT_EQ(types[102], 3);  // [SEP]
  EXPECT_TRUE(*gguf_bool(file, "tokenizer.ggml.normalizer.lowercase", true));
  EXPECT_EQ(*gguf_uint(file, "tokenizer.ggml.seperator_token_id", true), 102u);
  TempDir dir;
  reimported(file, dir, TokenizerKind::kWordPiece);
  EXPECT_EQ(read_file(dir / "vocab.txt"), read_file(wordpiece_config().vocab));
}

TEST(GgufTokenizer, WordPieceEntriesThatCollideAreRefused) {
  TempDir dir;
  write_text(dir / "vocab.txt",
             "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nab\n##ab\n\xE2\x96\x81"
             "ab\n");
  TokenizerConfig config = wordpiece_config();
  config.vocab = (dir / "vocab.txt").string();
  EXPECT_THAT(
      [&] { tokenizer_file(config); },
      ::testing::ThrowsMessage<UserError>(HasSubstr("has no distinct form in llama.cpp's WordPiece")));
}

TEST(GgufTokenizer, BytesTokenizerIsRefused) {
  TokenizerConfig config;
  config.type = TokenizerKind::kBytes;
  EXPECT_THAT(
      [&] { tokenizer_file(config); },
      ::testing::ThrowsMessage<UserError>(HasSubstr("tokenizer.type = bytes has no llama.cpp tokenizer")));
}

}  // namespace
}  // namespace ropelm::testing
