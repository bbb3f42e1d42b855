// The byte tokenizer against the bytes themselves: ids are the UTF-8 bytes (a brute-force reference),
// decode(encode(text)) == text over the golden texts and random UTF-8, <|endoftext|> is one id, safe cuts
// keep characters and <|endoftext|> whole.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <sstream>

#include "bert_test_data.h"
#include "tokenizer/corpus_encoder.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/utf8.h"

namespace ropelm::test {
namespace {

std::unique_ptr<Tokenizer> make_bytes(bool split_special_tokens = false) {
  TokenizerConfig config;
  config.type = TokenizerKind::kBytes;
  config.vocab = "/nonexistent: the byte tokenizer reads no file";
  config.split_special_tokens = split_special_tokens;
  return make_tokenizer(config);
}

std::vector<TokenId> bytes_of(std::string_view text) {
  std::vector<TokenId> ids;
  for (char c : text) ids.push_back(static_cast<unsigned char>(c));
  return ids;
}

// The "text" of every golden case of the WordPiece and GPT-2 suites (tests/fixtures/*/..._golden.jsonl).
std::vector<std::string> golden_texts() {
  std::vector<std::string> texts;
  for (const char* file :
       {"tests/fixtures/bert/bert_wordpiece_golden.jsonl", "tests/fixtures/gpt2/gpt2_golden.jsonl"}) {
    std::istringstream lines(read_file(source_path(file)));
    for (std::string line; std::getline(lines, line);) {
      texts.push_back(nlohmann::json::parse(line).at("text").get<std::string>());
    }
  }
  return texts;
}

// Random code points from every UTF-8 length class (no surrogates), with literal <|endoftext|>s mixed in.
std::string random_utf8(std::mt19937& rng, size_t code_points) {
  const std::vector<std::pair<char32_t, char32_t>> ranges = {
      {0x01, 0x7F}, {0x80, 0x7FF}, {0x800, 0xD7FF}, {0xE000, 0xFFFF}, {0x10000, 0x10FFFF}};
  std::string text;
  for (size_t i = 0; i < code_points; ++i) {
    if (rng() % 50 == 0) text += "<|endoftext|>";
    auto [low, high] = ranges[rng() % ranges.size()];
    utf8::append(text, static_cast<char32_t>(low + rng() % (high - low + 1)));
  }
  return text;
}

TEST(ByteTokenizer, IdsAreTheUtf8BytesOfTheText) {
  auto tokenizer = make_bytes();
  std::string text = "Héllo, 世界 🙂\n\t\r";
  EXPECT_EQ(tokenizer->encode(text), bytes_of(text));
  EXPECT_EQ(tokenizer->encode(text).size(), 22u);  // 1+2+3 ... bytes, not characters
  EXPECT_EQ(tokenizer->vocab_size(), 257);
  EXPECT_EQ(tokenizer->end_of_document_id(), 256);
  EXPECT_FALSE(tokenizer->unk_id());
}

TEST(ByteTokenizer, EndOfTextIsOneIdUnlessSplit) {
  std::string text = "a<|endoftext|>b<|endoftext|<|endoftext|>";
  std::vector<TokenId> expected = {'a', 256, 'b'};
  for (char c : std::string("<|endoftext|")) expected.push_back(static_cast<unsigned char>(c));
  expected.push_back(256);
  EXPECT_EQ(make_bytes()->encode(text), expected);
  EXPECT_EQ(make_bytes()->decode(expected), text);
  EXPECT_EQ(make_bytes(/*split_special_tokens=*/true)->encode(text), bytes_of(text));
}

TEST(ByteTokenizer, DecodeOfEncodeIsTheTextForEveryGoldenText) {
  auto tokenizer = make_bytes();
  auto split = make_bytes(true);
  std::vector<std::string> texts = golden_texts();
  ASSERT_GT(texts.size(), 700u);
  for (const std::string& text : texts) {
    EXPECT_EQ(tokenizer->decode(tokenizer->encode(text)), text);
    EXPECT_EQ(split->encode(text), bytes_of(text));
  }
}

TEST(ByteTokenizer, DecodeOfEncodeIsTheTextForRandomUtf8) {
  auto tokenizer = make_bytes();
  std::mt19937 rng(17);
  for (int i = 0; i < 300; ++i) {
    std::string text = random_utf8(rng, rng() % 200);
    ASSERT_EQ(tokenizer->decode(tokenizer->encode(text)), text) << "case " << i;
  }
}

// A cut lands on a code point boundary outside every <|endoftext|>; chunks of 1 byte make encode_corpus cut
// at every safe point, and the ids still come out whole.
TEST(ByteTokenizer, SafeCutsAvoidSplitCharactersAndSpecialTokens) {
  auto tokenizer = make_bytes();
  std::mt19937 rng(3);
  std::string text = random_utf8(rng, 400) + "<|endoftext|>";
  std::vector<bool> inside_special(text.size() + 1, false);
  for (size_t at = text.find("<|endoftext|>"); at != std::string::npos;
       at = text.find("<|endoftext|>", at + 1)) {
    for (size_t i = at + 1; i < at + 13; ++i) inside_special[i] = true;
  }
  for (size_t begin = 0; begin <= text.size(); ++begin) {
    size_t cut = tokenizer->safe_cut(text, begin);
    ASSERT_GE(cut, begin);
    ASSERT_LE(cut, text.size());
    ASSERT_FALSE(inside_special[cut]) << "cut at " << cut;
    ASSERT_TRUE(cut == text.size() || !utf8::is_continuation_byte(text[cut])) << "cut at " << cut;
  }
  std::vector<TokenId> whole = tokenizer->encode(text);
  for (int threads : {1, 2}) {
    for (size_t chunk : {size_t{1}, size_t{5}, size_t{64}}) {
      EXPECT_EQ(encode_corpus(*tokenizer, text, threads, chunk), whole);
    }
  }
}

TEST(ByteTokenizer, InvalidUtf8AndUnknownIdsAreUserErrors) {
  auto tokenizer = make_bytes();
  EXPECT_THROW(tokenizer->encode("ok \xC3("), UserError);
  EXPECT_THROW(tokenizer->decode(std::vector<TokenId>{257}), UserError);
  EXPECT_THROW(tokenizer->decode(std::vector<TokenId>{-1}), UserError);
}

TEST(ByteTokenizer, TokensPrintPrintableAsciiAndByteNames) {
  auto tokenizer = make_bytes();
  EXPECT_EQ(tokenizer->token('A'), "A");
  EXPECT_EQ(tokenizer->token(' '), "<0x20>");
  EXPECT_EQ(tokenizer->token('\n'), "<0x0A>");
  EXPECT_EQ(tokenizer->token(0xE4), "<0xE4>");
  EXPECT_EQ(tokenizer->token(256), "<|endoftext|>");
}

TEST(ByteTokenizer, IdentityKeysTheCacheAndDiffersFromEveryOtherTokenizer) {
  EXPECT_EQ(make_bytes()->content_hash(), make_bytes()->content_hash());
  EXPECT_NE(make_bytes()->content_hash(), make_bytes(true)->content_hash());
  EXPECT_NE(make_bytes()->content_hash(), make_bert(true)->content_hash());
}

}  // namespace
}  // namespace ropelm::test
