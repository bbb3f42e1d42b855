// BERT's text normaliser: clean_text, spaces around CJK ideographs, accent stripping and lowercasing.
#include "tokenizer/bert_normalizer.h"

#include <utf8proc.h>

#include "util/utf8.h"

namespace ropelm {
namespace {

utf8proc_category_t category_of(char32_t code_point) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(code_point));
}

}  // namespace

bool is_bert_control(char32_t code_point) {
  if (code_point == U'\t' || code_point == U'\n' || code_point == U'\r') return false;
  // HF uses unicode_categories' is_other(): Cc Cf Cn Co Cs. Its tables predate Unicode 10, so characters
  // assigned since (newer emoji, for one) count as Cn and are dropped by HF but kept here.
  switch (category_of(code_point)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS:
      return true;
    default:
      return false;
  }
}

bool is_bert_whitespace(char32_t code_point) {
  // White_Space = the controls \t..\r and U+0085, plus the separators Zs, Zl, Zp.
  if ((code_point >= U'\t' && code_point <= U'\r') || code_point == 0x85) return true;
  utf8proc_category_t category = category_of(code_point);
  return category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL ||
         category == UTF8PROC_CATEGORY_ZP;
}

bool is_bert_punctuation(char32_t code_point) {
  // Rust's is_ascii_punctuation also covers the ASCII symbols $ + < = > ^ ` | ~ (categories S*).
  if (code_point < 0x80) {
    return (code_point >= 33 && code_point <= 47) || (code_point >= 58 && code_point <= 64) ||
           (code_point >= 91 && code_point <= 96) || (code_point >= 123 && code_point <= 126);
  }
  utf8proc_category_t category = category_of(code_point);
  return category >= UTF8PROC_CATEGORY_PC && category <= UTF8PROC_CATEGORY_PO;
}

bool is_cjk_ideograph(char32_t c) {
  // HF's ranges (bert.rs is_chinese_char), which differ from Google's BERT in the Extension E/F range.
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

BertNormalizer::BertNormalizer(bool lowercase) : lowercase_(lowercase) {
  std::string normalized;
  for (char32_t byte = 0; byte < 128; ++byte) {
    normalized.clear();
    append_normalized(byte, normalized);
    ascii_[byte] = normalized.empty() ? '\0' : normalized[0];
  }
}

void BertNormalizer::normalize(std::string_view text, size_t offset_base, std::string& out) const {
  size_t pos = 0;
  while (pos < text.size()) {
    auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      if (char mapped = ascii_[byte]) out.push_back(mapped);
      ++pos;
      continue;
    }
    char32_t code_point = 0;
    pos += utf8::decode(text, pos, offset_base, code_point);
    append_normalized(code_point, out);
  }
}

// HF applies the steps to the whole string in turn (clean, CJK, strip accents, lowercase); each step maps
// one code point independently, so applying them per code point gives the same text.
void BertNormalizer::append_normalized(char32_t code_point, std::string& out) const {
  if (code_point == 0 || code_point == 0xFFFD || is_bert_control(code_point)) return;
  if (is_bert_whitespace(code_point)) {
    out.push_back(' ');
  } else if (is_cjk_ideograph(code_point)) {
    out.push_back(' ');
    append_folded(code_point, out);
    out.push_back(' ');
  } else {
    append_folded(code_point, out);
  }
}

// With lowercase, HF strips accents first (NFD, then drop Mn) and lowercases after. Decomposing one code
// point at a time skips NFD's canonical reordering of combining marks; nearly all of those are Mn and dropped
// anyway.
void BertNormalizer::append_folded(char32_t code_point, std::string& out) const {
  if (!lowercase_) {
    utf8::append(out, code_point);
    return;
  }
  utf8proc_int32_t decomposed[32];
  int last_boundclass = 0;
  utf8proc_ssize_t count = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(code_point), decomposed, 32,
                                                   UTF8PROC_DECOMPOSE, &last_boundclass);
  for (utf8proc_ssize_t i = 0; i < count; ++i) {
    if (utf8proc_category(decomposed[i]) == UTF8PROC_CATEGORY_MN) continue;
    utf8::append(out, static_cast<char32_t>(utf8proc_tolower(decomposed[i])));
  }
}

}  // namespace ropelm
