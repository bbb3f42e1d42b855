// Encodes one large text on several threads, cutting it only where the tokenizer allows (safe_cut).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace ropelm {

// The ids of tokenizer.encode(text), computed in chunks of about `chunk_bytes` on `threads` threads (<= 0:
// all cores). Chunks end at safe_cut points, so the ids are the same for any thread count or chunk size.
// Invalid UTF-8 throws UserError naming its byte offset in `text`.
std::vector<TokenId> encode_corpus(const Tokenizer& tokenizer, std::string_view text, int threads,
                                   size_t chunk_bytes = 1 << 20);

}  // namespace ropelm
