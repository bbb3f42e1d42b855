// tokenizer.ggml.* as llama.cpp's llama-vocab.cpp reads them (LLAMA_VOCAB_TYPE_BPE / SPM / WPM).
#include "interop/gguf_tokenizer.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

#include "interop/gguf_sentencepiece_model.h"
#include "interop/hf_tokenizer_files.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

// llama_token_type.
enum TokenType : int32_t { kNormal = 1, kUnknown = 2, kControl = 3 };

const std::string kWordStart = "\xE2\x96\x81";  // U+2581: llama.cpp's WPM marks word-initial pieces with it

void set_id(GgufFile& file, const std::string& key, std::optional<TokenId> id) {
  if (id && *id >= 0) file.set("tokenizer.ggml." + key, {static_cast<uint32_t>(*id)});
}

std::vector<std::string> all_tokens(const Tokenizer& tokenizer) {
  std::vector<std::string> tokens;
  for (TokenId id = 0; id < tokenizer.vocab_size(); ++id) tokens.push_back(tokenizer.token(id));
  return tokens;
}

// merges.txt / vocab.bpe lines, without the "#version" header.
std::vector<std::string> merge_lines(const std::string& path) {
  std::istringstream in(read_file(path));
  std::vector<std::string> merges;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (merges.empty() && line.starts_with("#version"))) continue;
    merges.push_back(line);
  }
  return merges;
}

void add_gpt2(GgufFile& file, const TokenizerConfig& config, const Tokenizer& tokenizer) {
  std::vector<int32_t> types(tokenizer.vocab_size(), kNormal);
  types.at(tokenizer.end_of_document_id()) = kControl;
  file.set("tokenizer.ggml.model", {std::string("gpt2")});
  file.set("tokenizer.ggml.pre", {std::string("gpt-2")});
  file.set("tokenizer.ggml.tokens", gguf_array(GgufValueType::kString, all_tokens(tokenizer)));
  file.set("tokenizer.ggml.token_type", gguf_array(GgufValueType::kInt32, types));
  file.set("tokenizer.ggml.merges", gguf_array(GgufValueType::kString, merge_lines(config.merges)));
}

SpmModelProto bpe_model(const TokenizerConfig& config) {
  SpmModelProto model = parse_sentencepiece_model(read_file(config.vocab), config.vocab);
  if (model.model_type != kSentencePieceBpe)
    throw UserError("tokenizer.vocab = " + config.vocab +
                    " is not a BPE sentencepiece model: llama.cpp's llama tokenizer merges pieces by score, "
                    "which gives a unigram model's ids only by chance; export --format gguf supports "
                    "model_type=bpe (as `ropelm vocab build` trains)");
  if (model.treat_whitespace_as_suffix)
    throw UserError("tokenizer.vocab = " + config.vocab +
                    " treats whitespace as a suffix, which llama.cpp's llama tokenizer does not support");
  if (model.normalizer_name != "identity")
    spdlog::warn(
        "llama.cpp does not apply sentencepiece's normalization rule '{}' of {}: texts it changes "
        "(e.g. full-width forms) tokenize differently there",
        model.normalizer_name, config.vocab);
  return model;
}

void add_sentencepiece(GgufFile& file, const TokenizerConfig& config) {
  const SpmModelProto model = bpe_model(config);
  std::vector<std::string> tokens;
  std::vector<float> scores;
  std::vector<int32_t> types;
  for (const auto& piece : model.pieces) {
    tokens.push_back(piece.piece);
    scores.push_back(piece.score);
    types.push_back(piece.type);
  }
  file.set("tokenizer.ggml.model", {std::string("llama")});
  file.set("tokenizer.ggml.tokens", gguf_array(GgufValueType::kString, tokens));
  file.set("tokenizer.ggml.scores", gguf_array(GgufValueType::kFloat32, scores));
  file.set("tokenizer.ggml.token_type", gguf_array(GgufValueType::kInt32, types));
  file.set("tokenizer.ggml.add_space_prefix", {model.add_dummy_prefix});
  file.set("tokenizer.ggml.remove_extra_whitespaces", {model.remove_extra_whitespaces});
}

bool is_bracketed(const std::string& token) {
  return token.size() > 2 && token.front() == '[' && token.back() == ']';
}

// WordPiece → llama.cpp's WPM vocabulary (convert_hf_to_gguf.py's "phantom space" form): word-initial entries
// gain U+2581, continuations lose "##", bracketed specials stay.
std::string phantom_form(const std::string& token) {
  if (is_bracketed(token)) return token;
  if (token.starts_with("##")) return token.substr(2);
  return kWordStart + token;
}

std::string wordpiece_form(const std::string& token) {
  if (token.starts_with(kWordStart)) return token.substr(kWordStart.size());
  if (is_bracketed(token)) return token;
  return "##" + token;
}

void add_wordpiece(GgufFile& file, const TokenizerConfig& config, const Tokenizer& tokenizer) {
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  std::set<std::string> seen;
  for (const auto& token : all_tokens(tokenizer)) {
    std::string form = phantom_form(token);
    if (form.empty() || token.starts_with(kWordStart) || !seen.insert(form).second)
      throw UserError("tokenizer.vocab = " + config.vocab + ": entry '" + token +
                      "' has no distinct form in llama.cpp's WordPiece vocabulary (it is empty, starts with "
                      "U+2581, or collides with another entry); export --format gguf cannot represent it");
    types.push_back(!is_bracketed(token) ? kNormal : token == "[UNK]" ? kUnknown : kControl);
    tokens.push_back(std::move(form));
  }
  file.set("tokenizer.ggml.model", {std::string("bert")});
  file.set("tokenizer.ggml.tokens", gguf_array(GgufValueType::kString, tokens));
  file.set("tokenizer.ggml.token_type", gguf_array(GgufValueType::kInt32, types));
  // BertTokenizer strips accents exactly when it lowercases, and so does ropelm (hf_tokenizer_files.cpp).
  file.set("tokenizer.ggml.normalizer.lowercase", {config.lowercase});
  file.set("tokenizer.ggml.normalizer.strip_accents", {config.lowercase});
  file.set("tokenizer.ggml.add_sep_token", {false});
  set_id(file, "seperator_token_id", tokenizer.sep_id());  // llama.cpp's spelling
}

std::string gguf_token(const GgufFile& file, const std::vector<std::string>& tokens, const std::string& key,
                       const std::string& fallback) {
  auto id = gguf_uint(file, "tokenizer.ggml." + key, false);
  return id && *id < tokens.size() ? tokens[*id] : fallback;
}

void write_gpt2_files(const GgufFile& file, const std::vector<std::string>& tokens, const fs::path& dir) {
  nlohmann::json vocab = nlohmann::json::object();
  for (size_t id = 0; id < tokens.size(); ++id) vocab[tokens[id]] = id;
  if (vocab.size() != tokens.size()) throw UserError("tokenizer.ggml.tokens has repeated entries");
  std::string merges = "#version: 0.2\n";
  for (const auto& merge : gguf_string_array(file, "tokenizer.ggml.merges")) merges += merge + "\n";
  write_file_atomic(dir / "vocab.json", vocab.dump() + "\n");
  write_file_atomic(dir / "merges.txt", merges);
}

void write_sentencepiece_file(const GgufFile& file, const std::vector<std::string>& tokens,
                              const fs::path& dir) {
  const auto scores = gguf_number_array(file, "tokenizer.ggml.scores");
  const auto types = gguf_number_array(file, "tokenizer.ggml.token_type");
  if (scores.size() != tokens.size() || types.size() != tokens.size())
    throw UserError("tokenizer.ggml.scores and token_type do not have one entry per token");
  SpmModelProto model;
  model.model_type = kSentencePieceBpe;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const auto type = static_cast<int32_t>(types[i]);
    model.pieces.push_back(
        {tokens[i], static_cast<float>(scores[i]), type >= 1 && type <= 6 ? type : kNormal});
    model.byte_fallback = model.byte_fallback || type == 6;
  }
  model.normalizer_name = "identity";
  model.add_dummy_prefix = gguf_bool(file, "tokenizer.ggml.add_space_prefix", false).value_or(true);
  model.remove_extra_whitespaces =
      gguf_bool(file, "tokenizer.ggml.remove_extra_whitespaces", false).value_or(false);
  model.unk_piece = gguf_token(file, tokens, "unknown_token_id", model.unk_piece);
  model.bos_piece = gguf_token(file, tokens, "bos_token_id", model.bos_piece);
  model.eos_piece = gguf_token(file, tokens, "eos_token_id", model.eos_piece);
  model.pad_piece = gguf_token(file, tokens, "padding_token_id", model.pad_piece);
  write_file_atomic(dir / "tokenizer.model", serialize_sentencepiece_model(model));
}

void write_wordpiece_files(const GgufFile& file, const std::vector<std::string>& tokens,
                           const fs::path& dir) {
  std::string vocab;
  for (const auto& token : tokens) vocab += wordpiece_form(token) + "\n";
  const bool lowercase = gguf_bool(file, "tokenizer.ggml.normalizer.lowercase", false).value_or(true);
  write_file_atomic(dir / "vocab.txt", vocab);
  write_file_atomic(dir / "tokenizer_config.json",
                    nlohmann::json{{"do_lower_case", lowercase}}.dump() + "\n");
}

}  // namespace

void add_tokenizer_metadata(GgufFile& file, const TokenizerConfig& config, const Tokenizer& tokenizer) {
  switch (config.type) {
    case TokenizerKind::kGpt2:
      add_gpt2(file, config, tokenizer);
      break;
    case TokenizerKind::kSentencePiece:
      add_sentencepiece(file, config);
      break;
    case TokenizerKind::kWordPiece:
      add_wordpiece(file, config, tokenizer);
      break;
    case TokenizerKind::kBytes:
      throw UserError(
          "tokenizer.type = bytes has no llama.cpp tokenizer; export --format gguf supports gpt2, "
          "sentencepiece and wordpiece");
  }
  const HfSpecialTokens special = hf_special_tokens(config, tokenizer);
  set_id(file, "bos_token_id", special.bos);
  set_id(file, "eos_token_id", special.eos);
  set_id(file, "padding_token_id", special.pad);
  set_id(file, "unknown_token_id", tokenizer.unk_id());
  // ropelm encodes text without bos/eos (documents are joined by the end-of-document token only).
  file.set("tokenizer.ggml.add_bos_token", {false});
  file.set("tokenizer.ggml.add_eos_token", {false});
}

void write_tokenizer_files_from_gguf(const GgufFile& file, const fs::path& dir) {
  const std::string model = *gguf_string(file, "tokenizer.ggml.model", true);
  const auto tokens = gguf_string_array(file, "tokenizer.ggml.tokens");
  if (model == "gpt2") {
    write_gpt2_files(file, tokens, dir);
  } else if (model == "llama") {
    write_sentencepiece_file(file, tokens, dir);
  } else if (model == "bert") {
    write_wordpiece_files(file, tokens, dir);
  } else {
    throw UserError("tokenizer.ggml.model = '" + model +
                    "' has no ropelm tokenizer; import supports gpt2, llama (sentencepiece) and bert");
  }
}

}  // namespace ropelm
