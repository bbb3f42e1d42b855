// UTF-8 decoding and validation with byte-offset errors.
#include "util/utf8.h"

#include <utf8proc.h>

#include <cstdint>
#include <cstring>

#include "util/error.h"

namespace ropelm::utf8 {

size_t decode(std::string_view text, size_t pos, size_t offset_base, char32_t& code_point) {
  utf8proc_int32_t decoded = 0;
  utf8proc_ssize_t length = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                                             static_cast<utf8proc_ssize_t>(text.size() - pos), &decoded);
  if (length <= 0) throw UserError("invalid UTF-8 at byte offset " + std::to_string(offset_base + pos));
  code_point = static_cast<char32_t>(decoded);
  return static_cast<size_t>(length);
}

namespace {

// Length of the valid sequence at text[pos], or 0 when the bytes there are not valid UTF-8.
size_t sequence_length(std::string_view text, size_t pos) {
  utf8proc_int32_t decoded = 0;
  utf8proc_ssize_t length = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                                             static_cast<utf8proc_ssize_t>(text.size() - pos), &decoded);
  return length > 0 ? static_cast<size_t>(length) : 0;
}

}  // namespace

size_t first_invalid(std::string_view text) {
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  size_t pos = 0;
  while (pos < text.size()) {
    if (pos + 8 <= text.size()) {
      uint64_t word = 0;
      std::memcpy(&word, text.data() + pos, 8);
      if ((word & kHighBits) == 0) {
        pos += 8;
        continue;
      }
    }
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    size_t length = sequence_length(text, pos);
    if (length == 0) return pos;
    pos += length;
  }
  return std::string_view::npos;
}

void validate(std::string_view text) {
  size_t bad = first_invalid(text);
  if (bad != std::string_view::npos) throw UserError("invalid UTF-8 at byte offset " + std::to_string(bad));
}

void append(std::string& out, char32_t code_point) {
  utf8proc_uint8_t buffer[4];
  utf8proc_ssize_t length = utf8proc_encode_char(static_cast<utf8proc_int32_t>(code_point), buffer);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(length));
}

size_t count_code_points(std::string_view text) {
  size_t count = 0;
  for (char byte : text) count += !is_continuation_byte(byte);
  return count;
}

}  // namespace ropelm::utf8
