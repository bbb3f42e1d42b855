// Encodes a file's documents on all cores, in order: big documents are cut by encode_corpus, small ones
// batched.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include "tokenizer/tokenizer.h"

namespace ropelm {

// Receives each document's ids, in document order (possibly empty ids for a document of only whitespace).
using DocumentSink = std::function<void(std::span<const TokenId> ids)>;

// Ids never depend on `threads`: each document is encoded on its own (encode_corpus cuts only at safe_cut
// points), and results are handed to the sink in document order. Memory stays O(threads × group size) beyond
// the input.
void encode_documents(const Tokenizer& tokenizer, std::span<const std::string_view> documents, int threads,
                      const DocumentSink& sink);

}  // namespace ropelm
