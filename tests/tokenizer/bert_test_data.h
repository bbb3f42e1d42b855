// Paths of the BERT test data and a helper that builds the WordPiece tokenizer under test.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "tokenizer/tokenizer.h"

namespace ropelm::test {

inline std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(ROPELM_SOURCE_DIR) / relative;
}

inline std::filesystem::path bert_data(const std::string& file) {
  return source_path("tests/fixtures/bert/" + file);
}

inline std::unique_ptr<Tokenizer> make_bert(bool lowercase, bool split_special_tokens = false) {
  TokenizerConfig config;
  config.type = TokenizerKind::kWordPiece;
  config.vocab =
      source_path(lowercase ? "data/bert-base-uncased-vocab.txt" : "data/bert-base-cased-vocab.txt");
  config.lowercase = lowercase;
  config.split_special_tokens = split_special_tokens;
  return make_tokenizer(config);
}

}  // namespace ropelm::test
