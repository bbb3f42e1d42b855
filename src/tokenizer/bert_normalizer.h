// BERT's text normaliser, as HF tokenizers' BertNormalizer(clean_text, handle_chinese_chars, strip_accents =
// lowercase, lowercase).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace ropelm {

// The Unicode classes BERT's normaliser and pre-tokeniser use (utf8proc's tables, Unicode 15).
bool is_bert_control(char32_t code_point);      // Cc Cf Cn Co Cs, except \t \n \r (HF's is_control)
bool is_bert_whitespace(char32_t code_point);   // Unicode White_Space (\t \n \r count as whitespace)
bool is_bert_punctuation(char32_t code_point);  // ASCII punctuation and symbols, or Unicode P*
bool is_cjk_ideograph(char32_t code_point);     // HF's is_chinese_char ranges

class BertNormalizer {
 public:
  explicit BertNormalizer(bool lowercase);

  // Appends the normalised form of `text` to `out`. `offset_base` is the byte offset of `text` in the
  // caller's input, so that invalid UTF-8 is reported at its offset there.
  void normalize(std::string_view text, size_t offset_base, std::string& out) const;

 private:
  void append_normalized(char32_t code_point, std::string& out) const;
  void append_folded(char32_t code_point, std::string& out) const;

  bool lowercase_;
  // ASCII byte → its normalised byte, '\0' when the byte is dropped: built from append_normalized itself.
  std::array<char, 128> ascii_;
};

}  // namespace ropelm
