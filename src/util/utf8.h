// UTF-8 decoding and validation (utf8proc does the decoding) with errors that name the byte offset.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ropelm::utf8 {

// Decodes the code point at text[pos] into `code_point` and returns its length in bytes. Throws UserError
// naming byte offset `offset_base + pos` when the bytes there are not valid UTF-8 (overlong, surrogate,
// truncated...).
size_t decode(std::string_view text, size_t pos, size_t offset_base, char32_t& code_point);

// The byte offset of the first byte that does not start a valid sequence (overlong, surrogate, above
// U+10FFFF, truncated, stray continuation), or std::string_view::npos when the whole text is valid. ASCII
// runs are skipped eight bytes at a time.
size_t first_invalid(std::string_view text);

// Throws UserError naming the offset of the first invalid byte.
void validate(std::string_view text);

void append(std::string& out, char32_t code_point);

// Code points in a valid UTF-8 string: the bytes that do not continue a sequence.
size_t count_code_points(std::string_view text);

// True for the bytes that continue a multi-byte sequence (10xxxxxx).
inline bool is_continuation_byte(char byte) {
  return (static_cast<unsigned char>(byte) & 0xC0) == 0x80;
}

}  // namespace ropelm::utf8
