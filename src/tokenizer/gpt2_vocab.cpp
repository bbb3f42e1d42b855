// Loads GPT-2's encoder.json (token → id) and vocab.bpe (merges in rank order) into the merge tables.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "tokenizer/gpt2_bpe.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm::gpt2 {
namespace {

constexpr uint32_t kNoRank = std::numeric_limits<uint32_t>::max();

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw UserError(path.string() + ": " + what);
}

nlohmann::json parse_encoder(const std::filesystem::path& path) {
  std::string text = read_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    fail(path, std::string("not valid JSON (") + error.what() + ")");
  }
}

// Fills token_text/token_bytes/byte_ids/end_of_text; returns every token's raw bytes → id.
ByteStringIds read_encoder(const std::filesystem::path& path, Gpt2Model& model) {
  nlohmann::json encoder = parse_encoder(path);
  if (!encoder.is_object() || encoder.empty())
    fail(path, "expected a JSON object mapping each token to its id");
  size_t size = encoder.size();
  model.token_text.assign(size, {});
  model.token_bytes.assign(size, {});
  ByteStringIds ids;
  for (const auto& [text, value] : encoder.items()) {
    if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
        value.get<int64_t>() >= static_cast<int64_t>(size)) {
      fail(path, "token \"" + text + "\" has id " + value.dump() + "; ids must be integers in [0, " +
                     std::to_string(size) + ")");
    }
    auto id = value.get<TokenId>();
    if (!model.token_text[id].empty()) fail(path, "id " + std::to_string(id) + " is given to two tokens");
    std::string bytes;
    if (!unicode_to_bytes(text, bytes) || bytes.empty()) {
      fail(path, "token \"" + text + "\" is not written in GPT-2's byte-to-unicode alphabet");
    }
    model.token_text[id] = text;
    model.token_bytes[id] = bytes;
    ids.emplace(std::move(bytes), id);
  }
  for (int byte = 0; byte < 256; ++byte) {
    auto it = ids.find(std::string(1, static_cast<char>(byte)));
    if (it == ids.end()) fail(path, "no token for byte " + std::to_string(byte) + " (every byte needs one)");
    model.byte_ids[byte] = it->second;
    model.mergeable.insert(it->first, it->second);
  }
  auto end_of_text = ids.find(std::string_view("<|endoftext|>"));
  if (end_of_text == ids.end()) fail(path, "no <|endoftext|> token");
  model.end_of_text = end_of_text->second;
  return ids;
}

TokenId merge_symbol_id(const std::filesystem::path& path, size_t line_number, std::string_view symbol,
                        const ByteStringIds& ids) {
  std::string bytes;
  std::string where = "line " + std::to_string(line_number) + ": ";
  if (!unicode_to_bytes(symbol, bytes) || bytes.empty()) {
    fail(path, where + "\"" + std::string(symbol) + "\" is not written in GPT-2's byte-to-unicode alphabet");
  }
  auto it = ids.find(bytes);
  if (it == ids.end())
    fail(path, where + "merge symbol \"" + std::string(symbol) + "\" is not in the vocabulary");
  return it->second;
}

// Returns the merge rank of each token id (kNoRank for tokens no merge makes) and marks merge results
// mergeable.
std::vector<uint32_t> read_merges(const std::filesystem::path& path, const ByteStringIds& ids,
                                  Gpt2Model& model) {
  std::string text = read_file(path);
  std::vector<uint32_t> rank_of(model.token_text.size(), kNoRank);
  uint32_t rank = 0;
  size_t line_number = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty() || (line_number == 1 && line.starts_with("#version"))) continue;
    size_t space = line.find(' ');
    if (space == std::string_view::npos || line.find(' ', space + 1) != std::string_view::npos) {
      fail(path, "line " + std::to_string(line_number) + ": expected two symbols separated by one space");
    }
    TokenId left = merge_symbol_id(path, line_number, line.substr(0, space), ids);
    TokenId right = merge_symbol_id(path, line_number, line.substr(space + 1), ids);
    auto merged = ids.find(model.token_bytes[left] + model.token_bytes[right]);
    if (merged == ids.end()) {
      fail(path, "line " + std::to_string(line_number) + ": merge result \"" +
                     std::string(line.substr(0, space)) + std::string(line.substr(space + 1)) +
                     "\" is not in the vocabulary");
    }
    if (rank_of[merged->second] == kNoRank) {
      rank_of[merged->second] = rank;
      model.mergeable.insert(merged->first, merged->second);
    }
    ++rank;
  }
  return rank_of;
}

// tiktoken merges two adjacent tokens when their concatenation has a rank, whichever merge line made it, so
// every split of a merge result into two mergeable tokens is a pair: GPT-2's 50,000 merge lines give 108,299.
void build_pairs(const std::vector<uint32_t>& rank_of, Gpt2Model& model) {
  for (size_t id = 0; id < rank_of.size(); ++id) {
    if (rank_of[id] == kNoRank) continue;
    std::string_view whole(model.token_bytes[id]);
    for (size_t split = 1; split < whole.size(); ++split) {
      TokenId left = model.mergeable.find(whole.substr(0, split));
      TokenId right = model.mergeable.find(whole.substr(split));
      if (left < 0 || right < 0) continue;
      uint64_t key = static_cast<uint64_t>(left) << 32 | static_cast<uint32_t>(right);
      model.pairs.emplace(key, static_cast<uint64_t>(rank_of[id]) << 32 | static_cast<uint32_t>(id));
    }
  }
}

}  // namespace

Gpt2Model load_gpt2_model(const std::filesystem::path& encoder_json, const std::filesystem::path& vocab_bpe) {
  Gpt2Model model;
  ByteStringIds ids = read_encoder(encoder_json, model);
  std::vector<uint32_t> rank_of = read_merges(vocab_bpe, ids, model);
  build_pairs(rank_of, model);
  return model;
}

}  // namespace ropelm::gpt2
