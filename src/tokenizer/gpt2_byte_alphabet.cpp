// GPT-2's byte-to-unicode alphabet (openai/gpt-2 encoder.py, bytes_to_unicode) and its inverse.
#include <utf8proc.h>

#include <array>

#include "tokenizer/gpt2_bpe.h"

namespace ropelm::gpt2 {
namespace {

// Bytes that are printable Latin-1 ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for themselves; the other 68 take
// U+0100 upward in byte order, so no vocabulary entry holds whitespace or control characters.
bool is_self_printing(int byte) {
  return (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || byte >= 174;
}

struct Alphabet {
  std::array<char32_t, 256> to_code_point{};
  std::array<int16_t, 324> to_byte{};  // code points 0..323 cover both halves of the alphabet

  Alphabet() {
    to_byte.fill(-1);
    char32_t next_shifted = 256;
    for (int byte = 0; byte < 256; ++byte) {
      to_code_point[byte] = is_self_printing(byte) ? static_cast<char32_t>(byte) : next_shifted++;
      to_byte[to_code_point[byte]] = static_cast<int16_t>(byte);
    }
  }
};

const Alphabet& alphabet() {
  static const Alphabet kAlphabet;
  return kAlphabet;
}

}  // namespace

std::string byte_to_unicode(std::string_view bytes) {
  std::string text;
  for (unsigned char byte : bytes) {
    std::array<utf8proc_uint8_t, 4> buffer{};
    utf8proc_ssize_t length = utf8proc_encode_char(alphabet().to_code_point[byte], buffer.data());
    text.append(reinterpret_cast<const char*>(buffer.data()), static_cast<size_t>(length));
  }
  return text;
}

bool unicode_to_bytes(std::string_view text, std::string& bytes) {
  bytes.clear();
  const auto* data = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  size_t pos = 0;
  while (pos < text.size()) {
    utf8proc_int32_t code_point = 0;
    utf8proc_ssize_t length =
        utf8proc_iterate(data + pos, static_cast<utf8proc_ssize_t>(text.size() - pos), &code_point);
    if (length <= 0 || code_point < 0 || code_point >= static_cast<int32_t>(alphabet().to_byte.size()) ||
        alphabet().to_byte[code_point] < 0) {
      return false;
    }
    bytes += static_cast<char>(alphabet().to_byte[code_point]);
    pos += static_cast<size_t>(length);
  }
  return true;
}

}  // namespace ropelm::gpt2
