// GPT-2's pre-tokenizer regex as a hand-written scanner (no backtracking engine), plus the safe cut points it
// implies.
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <string>

#include "tokenizer/gpt2_bpe.h"
#include "util/error.h"

namespace ropelm::gpt2 {

CharClass char_class(char32_t code_point) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(code_point))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return CharClass::kLetter;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return CharClass::kNumber;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      return CharClass::kSpace;
    default:
      // Unicode White_Space = Z[slp] plus these controls; tiktoken's Rust regex and Python's `regex` use it
      // for \s (not str.isspace(), which adds U+001C..U+001F).
      bool space_control = (code_point >= U'\t' && code_point <= U'\r') || code_point == U'\u0085';
      return space_control ? CharClass::kSpace : CharClass::kOther;
  }
}

namespace {

// ASCII dominates real text: one table lookup instead of a utf8proc call. A function-local static, so that it
// is built before any use, even from another file's static initialiser.
const std::array<CharClass, 128>& ascii_classes() {
  static const std::array<CharClass, 128> kClasses = [] {
    std::array<CharClass, 128> classes{};
    for (char32_t c = 0; c < 128; ++c) classes[c] = char_class(c);
    return classes;
  }();
  return kClasses;
}

struct Decoded {
  char32_t code_point;
  size_t length;
  CharClass cls;
};

Decoded decode_multibyte(std::string_view text, size_t pos) {
  utf8proc_int32_t code_point = 0;
  utf8proc_ssize_t length = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                                             static_cast<utf8proc_ssize_t>(text.size() - pos), &code_point);
  if (length <= 0) throw UserError("invalid UTF-8 at byte offset " + std::to_string(pos));
  auto cp = static_cast<char32_t>(code_point);
  return {cp, static_cast<size_t>(length), char_class(cp)};
}

inline Decoded decode(std::string_view text, size_t pos) {
  auto byte = static_cast<unsigned char>(text[pos]);
  if (byte < 0x80) return {byte, 1, ascii_classes()[byte]};
  return decode_multibyte(text, pos);
}

// 's|'t|'re|'ve|'m|'ll|'d are tried first at every position and are case-sensitive ("IT'S" is not one).
size_t contraction_length(std::string_view text, size_t begin) {
  std::string_view rest = text.substr(begin + 1);
  if (rest.empty()) return 0;
  if (rest[0] == 's' || rest[0] == 't' || rest[0] == 'm' || rest[0] == 'd') return 2;
  if (rest.starts_with("re") || rest.starts_with("ve") || rest.starts_with("ll")) return 3;
  return 0;
}

// The longest run of `cls` characters from pos: \p{L}+, \p{N}+ or [^\s\p{L}\p{N}]+.
size_t run_end(std::string_view text, size_t pos, CharClass cls) {
  const auto& ascii = ascii_classes();
  while (pos < text.size()) {
    auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      if (ascii[byte] != cls) break;
      ++pos;
      continue;
    }
    Decoded next = decode_multibyte(text, pos);
    if (next.cls != cls) break;
    pos += next.length;
  }
  return pos;
}

// \s+(?!\S)|\s+ : a whitespace run that reaches the end of the input is one token; one followed by a
// non-space character leaves its last character behind (to prefix the next word when it is a space), unless
// the run is that single character. So "\n\n" alone is one token but "a\n\nb" gives a, \n, \n, b.
size_t whitespace_end(std::string_view text, size_t begin) {
  size_t pos = begin;
  size_t last_start = begin;
  while (pos < text.size()) {
    Decoded next = decode(text, pos);
    if (next.cls != CharClass::kSpace) break;
    last_start = pos;
    pos += next.length;
  }
  if (pos == text.size() || last_start == begin) return pos;
  return last_start;
}

// Whether the character that ends at `end` is valid UTF-8 and not whitespace.
bool non_space_before(std::string_view text, size_t end) {
  auto last = static_cast<unsigned char>(text[end - 1]);
  if (last < 0x80) return ascii_classes()[last] != CharClass::kSpace;
  size_t start = end - 1;
  while (start > 0 && end - start < 4 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  utf8proc_int32_t code_point = 0;
  utf8proc_ssize_t length = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + start),
                                             static_cast<utf8proc_ssize_t>(end - start), &code_point);
  return length == static_cast<utf8proc_ssize_t>(end - start) &&
         char_class(static_cast<char32_t>(code_point)) != CharClass::kSpace;
}

}  // namespace

size_t pre_token_end(std::string_view text, size_t begin) {
  Decoded first = decode(text, begin);
  if (first.code_point == U'\'') {
    size_t length = contraction_length(text, begin);
    if (length > 0) return begin + length;
  }
  CharClass cls = first.cls;
  // " ?X+": a space joins the run that follows it, whatever its class (letters, numbers, or other symbols).
  if (first.code_point == U' ' && begin + 1 < text.size()) {
    CharClass next = decode(text, begin + 1).cls;
    if (next != CharClass::kSpace) cls = next;
  }
  if (cls == CharClass::kSpace) return whitespace_end(text, begin);
  return run_end(text, begin + first.length, cls);
}

// Every token holding a non-space character ends at the next whitespace at the latest (only a leading space
// can be part of a non-whitespace token), and a token starting at whitespace is matched the same way whatever
// precedes it (the pattern has no look-behind). No decision before such a point looks past it: runs stop at
// the whitespace as they would at the end of the input, and (?!\S) only looks inside whitespace runs. So both
// halves pre-tokenize exactly as the whole. "<|endoftext|>" holds no whitespace, so no cut falls inside it.
size_t pre_token_safe_cut(std::string_view text, size_t begin) {
  const auto& ascii = ascii_classes();
  for (size_t p = std::max<size_t>(begin, 1); p < text.size(); ++p) {
    auto byte = static_cast<unsigned char>(text[p]);
    if (byte < 0x80 && ascii[byte] == CharClass::kSpace && non_space_before(text, p)) return p;
  }
  return text.size();
}

}  // namespace ropelm::gpt2
