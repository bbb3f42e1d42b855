// BERT's pre-tokeniser: whitespace removed, punctuation isolated.
#include "tokenizer/bert_pre_tokenizer.h"

#include <array>
#include <cstdint>

#include "tokenizer/bert_normalizer.h"
#include "util/utf8.h"

namespace ropelm {
namespace {

enum class CharKind : uint8_t { kWord, kSpace, kPunctuation };

CharKind kind_of(char32_t code_point) {
  if (is_bert_whitespace(code_point)) return CharKind::kSpace;
  if (is_bert_punctuation(code_point)) return CharKind::kPunctuation;
  return CharKind::kWord;
}

// ASCII dominates real text: one table look-up instead of two utf8proc calls.
const std::array<CharKind, 128>& ascii_kinds() {
  static const std::array<CharKind, 128> kinds = [] {
    std::array<CharKind, 128> table{};
    for (char32_t byte = 0; byte < 128; ++byte) table[byte] = kind_of(byte);
    return table;
  }();
  return kinds;
}

}  // namespace

void split_bert_words(std::string_view normalized, std::vector<std::string_view>& words) {
  const auto& ascii = ascii_kinds();
  size_t word_begin = 0;
  size_t pos = 0;
  auto end_word = [&](size_t end) {
    if (end > word_begin) words.push_back(normalized.substr(word_begin, end - word_begin));
  };
  while (pos < normalized.size()) {
    auto byte = static_cast<unsigned char>(normalized[pos]);
    char32_t code_point = byte;
    size_t length = 1;
    if (byte >= 0x80) length = utf8::decode(normalized, pos, 0, code_point);
    CharKind kind = byte < 0x80 ? ascii[byte] : kind_of(code_point);
    if (kind == CharKind::kWord) {
      pos += length;
      continue;
    }
    end_word(pos);
    if (kind == CharKind::kPunctuation) words.push_back(normalized.substr(pos, length));
    pos += length;
    word_begin = pos;
  }
  end_word(pos);
}

}  // namespace ropelm
