// HF's WordPiece decoder: ids' tokens back to text, "##" pieces joined to the word before them.
#pragma once

#include <string>
#include <string_view>

namespace ropelm {

// Appends token number `index` of a sequence as HF's decoders::WordPiece (cleanup = true) writes it: a space
// before every token but the first and "##" pieces, "##" dropped (except on the first token), then HF's
// cleanup replacements (" ." → ".", " ," → ",", " n't" → "n't", ...) on that token's text.
void append_decoded_wordpiece(std::string_view token, size_t index, std::string& out);

}  // namespace ropelm
