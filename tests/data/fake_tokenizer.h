// A whitespace word tokenizer for data tests: ids are a hash of each word, so tests need no vocabulary file.
#pragma once

#include <cctype>
#include <functional>
#include <stdexcept>
#include <string>

#include "tokenizer/tokenizer.h"

namespace ropelm::testing {

// Id 0 joins documents, id 1 is [UNK] (any word containing '#'); other words map to 2 + hash % (vocab − 2).
// `salt` stands for the vocabulary file: a different salt is a different vocabulary (and content hash).
class FakeTokenizer : public Tokenizer {
 public:
  explicit FakeTokenizer(int64_t vocab_size = 1000, std::string salt = "v1")
      : vocab_size_(vocab_size), salt_(std::move(salt)) {}

  std::vector<TokenId> encode(std::string_view text) const override {
    std::vector<TokenId> ids;
    size_t i = 0;
    while (i < text.size()) {
      if (std::isspace(static_cast<unsigned char>(text[i]))) {
        ++i;
        continue;
      }
      size_t end = i;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
      ids.push_back(word_id(text.substr(i, end - i)));
      i = end;
    }
    return ids;
  }
  std::string decode(std::span<const TokenId>) const override {
    throw std::logic_error("not used by data tests");
  }
  std::string token(TokenId id) const override { return std::to_string(id); }
  int64_t vocab_size() const override { return vocab_size_; }
  TokenId end_of_document_id() const override { return 0; }
  std::optional<TokenId> unk_id() const override { return 1; }
  std::optional<TokenId> cls_id() const override { return std::nullopt; }
  std::optional<TokenId> sep_id() const override { return std::nullopt; }
  std::string content_hash() const override { return "fake-" + salt_ + "-" + std::to_string(vocab_size_); }
  // Cutting at whitespace never splits a word.
  size_t safe_cut(std::string_view text, size_t begin) const override {
    for (size_t i = begin; i < text.size(); ++i) {
      if (std::isspace(static_cast<unsigned char>(text[i]))) return i;
    }
    return text.size();
  }

  TokenId word_id(std::string_view word) const {
    if (word.find('#') != std::string_view::npos) return 1;
    size_t hash = std::hash<std::string>{}(salt_ + std::string(word));
    return static_cast<TokenId>(2 + hash % static_cast<size_t>(vocab_size_ - 2));
  }

 private:
  int64_t vocab_size_;
  std::string salt_;
};

}  // namespace ropelm::testing
