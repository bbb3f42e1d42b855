// BERT's pre-tokeniser (HF's BertPreTokenizer): split on whitespace, every punctuation character a word.
#pragma once

#include <string_view>
#include <vector>

namespace ropelm {

// Appends the words of `normalized` (valid UTF-8, as BertNormalizer writes it) to `words`, as views into it.
void split_bert_words(std::string_view normalized, std::vector<std::string_view>& words);

}  // namespace ropelm
