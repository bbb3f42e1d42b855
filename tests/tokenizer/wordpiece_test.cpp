// WordPiece on small hand-made vocabularies: longest match, "##" continuation, [UNK] rules, decoding.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "tokenizer/tokenizer.h"
#include "util/error.h"

namespace ropelm::test {
namespace {

using ::testing::HasSubstr;

std::filesystem::path write_vocab(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("ropelm_wordpiece_" + name + ".txt");
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::unique_ptr<Tokenizer> tokenizer_for(const std::string& vocab_text, bool lowercase = true) {
  TokenizerConfig config;
  config.vocab = write_vocab("vocab", vocab_text);
  config.lowercase = lowercase;
  return make_tokenizer(config);
}

// ids: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 un=4 ##aff=5 ##able=6 ##a=7 a=8 ##ff=9 .=10 ##b=11 ##bl=12
const std::string kVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nun\n##aff\n##able\n##a\na\n##ff\n.\n##b\n##bl\n";

TEST(WordPiece, GreedyLongestMatchFirst) {
  auto tokenizer = tokenizer_for(kVocab);
  EXPECT_EQ(tokenizer->encode("unaffable"), (std::vector<TokenId>{4, 5, 6}));
  EXPECT_EQ(tokenizer->encode("UNAFFABLE."), (std::vector<TokenId>{4, 5, 6, 10}));
  EXPECT_EQ(tokenizer->encode("aa"), (std::vector<TokenId>{8, 7}));
}

TEST(WordPiece, UnmatchablePieceMakesTheWholeWordUnknown) {
  auto tokenizer = tokenizer_for(kVocab);
  // "unaffablez": no entry continues with "z", so HF drops the pieces found so far.
  EXPECT_EQ(tokenizer->encode("unaffablez a"), (std::vector<TokenId>{1, 8}));
  // Greedy, no backtracking: "abl" takes "##bl" and leaves nothing to match the final "x".
  EXPECT_EQ(tokenizer->encode("ablx"), (std::vector<TokenId>{1}));
}

TEST(WordPiece, WordsOverOneHundredCharactersAreUnknown) {
  auto tokenizer = tokenizer_for(kVocab);
  EXPECT_EQ(tokenizer->encode(std::string(100, 'a')).size(), 100u);
  EXPECT_EQ(tokenizer->encode(std::string(101, 'a')), (std::vector<TokenId>{1}));
}

TEST(WordPiece, SpecialTokenTextMatchesUnlessSplit) {
  EXPECT_EQ(tokenizer_for(kVocab)->encode("a[SEP]a"), (std::vector<TokenId>{8, 3, 8}));
  TokenizerConfig config;
  config.vocab = write_vocab("vocab", kVocab);
  config.split_special_tokens = true;
  EXPECT_EQ(make_tokenizer(config)->encode("[SEP]"), (std::vector<TokenId>{1, 1, 1}));  // "[", "sep", "]"
}

TEST(WordPiece, DecodeJoinsContinuationsAndCleansPunctuation) {
  auto tokenizer = tokenizer_for(kVocab);
  EXPECT_EQ(tokenizer->decode(std::vector<TokenId>{4, 5, 6, 10, 8, 7}), "unaffable. aa");
  EXPECT_EQ(tokenizer->decode(std::vector<TokenId>{5, 8}), "##aff a");  // HF keeps "##" on the first token
  EXPECT_THROW(tokenizer->decode(std::vector<TokenId>{99}), UserError);
}

TEST(WordPiece, ContentHashFollowsVocabAndOptions) {
  TokenizerConfig config;
  config.vocab = write_vocab("hash", kVocab);
  std::string uncased = make_tokenizer(config)->content_hash();
  config.lowercase = false;
  EXPECT_NE(make_tokenizer(config)->content_hash(), uncased);
  config.lowercase = true;
  EXPECT_EQ(make_tokenizer(config)->content_hash(), uncased);
  config.vocab = write_vocab("hash", kVocab + "extra\n");
  EXPECT_NE(make_tokenizer(config)->content_hash(), uncased);
}

void expect_user_error(const std::function<void()>& action, const std::string& fragment) {
  try {
    action();
    ADD_FAILURE() << "no UserError; expected one containing: " << fragment;
  } catch (const UserError& error) {
    EXPECT_THAT(error.what(), HasSubstr(fragment));
  }
}

TEST(WordPieceErrors, BadVocabFilesNameTheProblem) {
  expect_user_error([] { tokenizer_for(""); }, "is empty");
  expect_user_error([] { tokenizer_for("[PAD]\n[SEP]\nthe\n"); }, "has no [UNK] token");
  expect_user_error([] { tokenizer_for("[UNK]\n[SEP]\nthe\nof\nthe\n"); }, ":5: token 'the' repeats line 3");
  expect_user_error([] { tokenizer_for("[UNK]\n\n[SEP]\n"); }, ":2: empty token");
  expect_user_error([] { tokenizer_for("[UNK]\n[SEP]\nab\xFF\n"); }, ":3: invalid UTF-8");
  TokenizerConfig config;
  config.vocab = "no/such/vocab.txt";
  expect_user_error([&] { make_tokenizer(config); }, "no/such/vocab.txt does not exist");
}

TEST(WordPieceErrors, InvalidUtf8NamesTheByteOffset) {
  auto tokenizer = tokenizer_for(kVocab);
  expect_user_error([&] { tokenizer->encode("aa \xC3"); }, "invalid UTF-8 at byte offset 3");
  expect_user_error([&] { tokenizer->encode("[SEP] \xED\xA0\x80"); }, "invalid UTF-8 at byte offset 6");
  expect_user_error([&] { tokenizer->encode("\xC0\xAF"); }, "invalid UTF-8 at byte offset 0");
}

}  // namespace
}  // namespace ropelm::test
