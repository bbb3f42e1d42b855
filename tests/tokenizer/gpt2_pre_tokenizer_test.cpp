// GPT-2's pre-tokenizer scanner against the pattern run by std::regex (ASCII), plus Unicode classes and the
// alphabet.
#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>
#include <vector>

#include "tokenizer/gpt2_bpe.h"
#include "util/error.h"

namespace ropelm::gpt2 {
namespace {

std::vector<std::string> pre_tokens(std::string_view text) {
  std::vector<std::string> pieces;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = pre_token_end(text, pos);
    pieces.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return pieces;
}

// The GPT-2 pattern with \p{L} and \p{N} narrowed to ASCII, which ECMAScript regexes can express; it has the
// same ordered alternation and backtracking into \s+ before (?!\S) as Python's `regex` and tiktoken's
// fancy-regex.
std::vector<std::string> regex_pre_tokens(const std::string& text) {
  static const std::regex kPattern(
      R"('s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+)");
  std::vector<std::string> pieces;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kPattern); it != std::sregex_iterator();
       ++it) {
    pieces.push_back(it->str());
  }
  return pieces;
}

TEST(Gpt2PreTokenizer, MatchesTheRegexOnRandomAsciiText) {
  const std::string alphabet = "aZs'tdlrevm 1.,!\n\t\r";
  std::mt19937 random(1234);
  for (int trial = 0; trial < 20000; ++trial) {
    std::string text;
    size_t length = random() % 12;
    for (size_t i = 0; i < length; ++i) text += alphabet[random() % alphabet.size()];
    ASSERT_EQ(pre_tokens(text), regex_pre_tokens(text)) << "text: \"" << text << "\"";
  }
}

TEST(Gpt2PreTokenizer, WhitespaceRunsLeaveTheirLastCharacterToTheNextWord) {
  using Pieces = std::vector<std::string>;
  EXPECT_EQ(pre_tokens("\n\n"), (Pieces{"\n\n"}));
  EXPECT_EQ(pre_tokens("Hello\n\nWorld"), (Pieces{"Hello", "\n", "\n", "World"}));
  EXPECT_EQ(pre_tokens("Hello   world  "), (Pieces{"Hello", "  ", " world", "  "}));
  EXPECT_EQ(pre_tokens("a \tb"), (Pieces{"a", " ", "\t", "b"}));
  EXPECT_EQ(pre_tokens("don't IT'S ''s"), (Pieces{"don", "'t", " IT", "'", "S", " ''", "s"}));
  EXPECT_EQ(pre_tokens(" 2026-11"), (Pieces{" 2026", "-", "11"}));
}

TEST(Gpt2PreTokenizer, UnicodeClassesComeFromUtf8proc) {
  for (char32_t space : {U'\t', U'\n', U'\v', U'\f', U'\r', U' ', U'\u0085', U'\u00a0', U'\u1680', U'\u2000',
                         U'\u200a', U'\u2028', U'\u2029', U'\u202f', U'\u205f', U'\u3000'}) {
    EXPECT_EQ(char_class(space), CharClass::kSpace) << static_cast<uint32_t>(space);
  }
  // Not White_Space, though str.isspace() says so for U+001C..U+001F; U+200B and U+FEFF are format
  // characters.
  for (char32_t other :
       {U'\u001c', U'\u001f', U'\u200b', U'\ufeff', U'\u180e', U'.', U'\u2014', U'\U0001F600'}) {
    EXPECT_EQ(char_class(other), CharClass::kOther) << static_cast<uint32_t>(other);
  }
  for (char32_t letter : {U'a', U'\u00e9', U'\u65e5', U'\u02b0', U'\U0001D518'}) {
    EXPECT_EQ(char_class(letter), CharClass::kLetter) << static_cast<uint32_t>(letter);
  }
  for (char32_t number : {U'7', U'\u0663', U'\u00bd', U'\u00b2', U'\u216b'}) {
    EXPECT_EQ(char_class(number), CharClass::kNumber) << static_cast<uint32_t>(number);
  }
}

TEST(Gpt2PreTokenizer, InvalidUtf8NamesTheByteOffset) {
  for (auto [text, offset] : {std::pair<std::string_view, size_t>{"ab\xff"
                                                                  "cd",
                                                                  2},
                              {"abc\xe2\x82", 3},          // truncated
                              {"x \xc0\xaf", 2},           // overlong '/'
                              {"xy\xed\xa0\x80", 2},       // a UTF-16 surrogate
                              {"\xf4\x90\x80\x80", 0}}) {  // beyond U+10FFFF
    try {
      pre_tokens(text);
      ADD_FAILURE() << "no error for offset " << offset;
    } catch (const UserError& error) {
      EXPECT_EQ(std::string(error.what()), "invalid UTF-8 at byte offset " + std::to_string(offset));
    }
  }
}

TEST(Gpt2ByteAlphabet, RoundTripsEveryByte) {
  std::string all_bytes;
  for (int byte = 0; byte < 256; ++byte) all_bytes += static_cast<char>(byte);
  std::string text = byte_to_unicode(all_bytes);
  EXPECT_EQ(byte_to_unicode(" "), "\xc4\xa0");   // Ġ
  EXPECT_EQ(byte_to_unicode("\n"), "\xc4\x8a");  // Ċ
  EXPECT_EQ(byte_to_unicode("A~"), "A~");
  std::string bytes;
  ASSERT_TRUE(unicode_to_bytes(text, bytes));
  EXPECT_EQ(bytes, all_bytes);
  EXPECT_FALSE(unicode_to_bytes(" ", bytes));             // a raw space is not in the alphabet
  EXPECT_FALSE(unicode_to_bytes("\xe2\x82\xac", bytes));  // nor is €
}

}  // namespace
}  // namespace ropelm::gpt2
