// Tokenizer files for transformers' BertTokenizer, GPT2Tokenizer and LlamaTokenizer, and their detection.
#include "interop/hf_tokenizer_files.h"

#include <nlohmann/json.hpp>

#include <vector>

#include "interop/hf_fast_tokenizer.h"
#include "tokenizer/gpt2_bpe.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

// The id of a vocabulary entry, by scanning (export runs once; vocabularies have ~10^5 entries).
std::optional<TokenId> find_token(const Tokenizer& tokenizer, const std::string& text) {
  for (TokenId id = 0; id < tokenizer.vocab_size(); ++id)
    if (tokenizer.token(id) == text) return id;
  return std::nullopt;
}

void write_json(const fs::path& path, const nlohmann::json& json) {
  write_file_atomic(path, json.dump(2) + "\n");
}

void copy_file(const std::string& from, const fs::path& to) {
  write_file_atomic(to, read_file(from));
}

// BERT's special tokens under transformers' attribute names, those the vocabulary has.
nlohmann::json bert_special_tokens(const Tokenizer& tokenizer) {
  nlohmann::json tokens = nlohmann::json::object();
  for (const auto& [key, text] : std::vector<std::pair<std::string, std::string>>{{"unk_token", "[UNK]"},
                                                                                  {"sep_token", "[SEP]"},
                                                                                  {"pad_token", "[PAD]"},
                                                                                  {"cls_token", "[CLS]"},
                                                                                  {"mask_token", "[MASK]"}}) {
    if (find_token(tokenizer, text)) tokens[key] = text;
  }
  return tokens;
}

// bos / eos / unk by their text; a missing one is left out (transformers then has none).
nlohmann::json named_special_tokens(const Tokenizer& tokenizer, const HfSpecialTokens& ids) {
  nlohmann::json tokens = nlohmann::json::object();
  if (ids.bos) tokens["bos_token"] = tokenizer.token(*ids.bos);
  if (ids.eos) tokens["eos_token"] = tokenizer.token(*ids.eos);
  if (auto unk = tokenizer.unk_id()) tokens["unk_token"] = tokenizer.token(*unk);
  return tokens;
}

// The byte tokenizer as GPT-2 files without merges: every byte is its own token under GPT-2's byte alphabet,
// numbered by its value, so GPT2Tokenizer gives ropelm's ids (and its added <|endoftext|> is id 256).
void write_byte_vocab_files(const Tokenizer& tokenizer, const fs::path& dir) {
  nlohmann::json vocab = nlohmann::json::object();
  for (int byte = 0; byte < 256; ++byte)
    vocab[gpt2::byte_to_unicode(std::string(1, static_cast<char>(byte)))] = byte;
  vocab[tokenizer.token(tokenizer.end_of_document_id())] = tokenizer.end_of_document_id();
  write_json(dir / "vocab.json", vocab);
  write_file_atomic(dir / "merges.txt", "#version: 0.2\n");
}

}  // namespace

HfSpecialTokens hf_special_tokens(const TokenizerConfig& config, const Tokenizer& tokenizer) {
  // GPT-2 uses <|endoftext|> as both bos and eos (the document separator); sentencepiece has its own pair.
  TokenId eos = tokenizer.end_of_document_id();
  switch (config.type) {
    case TokenizerKind::kWordPiece:
      return {tokenizer.cls_id(), tokenizer.sep_id(), find_token(tokenizer, "[PAD]")};
    case TokenizerKind::kGpt2:
    case TokenizerKind::kBytes:
      return {eos, eos, std::nullopt};
    case TokenizerKind::kSentencePiece:
      break;
  }
  return {tokenizer.cls_id(), eos, std::nullopt};
}

void write_hf_tokenizer_files(const TokenizerConfig& config, const Tokenizer& tokenizer,
                              int64_t model_max_length, const fs::path& dir) {
  nlohmann::json specials;
  nlohmann::json settings = {{"model_max_length", model_max_length},
                             {"split_special_tokens", config.split_special_tokens}};
  switch (config.type) {
    case TokenizerKind::kWordPiece:
      copy_file(config.vocab, dir / "vocab.txt");
      write_wordpiece_tokenizer_json(config, tokenizer, dir);
      specials = bert_special_tokens(tokenizer);
      // The fast tokenizer of tokenizer.json (no [CLS]/[SEP] added); vocab.txt and the BertTokenizer settings
      // stay for readers of the slow format. strip_accents null: accents are stripped exactly when
      // lowercasing.
      settings.update({{"tokenizer_class", "PreTrainedTokenizerFast"},
                       {"do_lower_case", config.lowercase},
                       {"strip_accents", nullptr},
                       {"tokenize_chinese_chars", true}});
      break;
    case TokenizerKind::kGpt2:
    case TokenizerKind::kBytes:
      if (config.type == TokenizerKind::kBytes) {
        write_byte_vocab_files(tokenizer, dir);
      } else {
        copy_file(config.vocab, dir / "vocab.json");
        copy_file(config.merges, dir / "merges.txt");
      }
      specials = named_special_tokens(tokenizer, hf_special_tokens(config, tokenizer));
      specials["unk_token"] =
          specials["eos_token"];  // byte-level BPE has no unknowns; GPT-2's files name this
      settings.update(
          {{"tokenizer_class", "GPT2Tokenizer"}, {"add_prefix_space", false}, {"add_bos_token", false}});
      break;
    case TokenizerKind::kSentencePiece:
      copy_file(config.vocab, dir / "tokenizer.model");
      specials = named_special_tokens(tokenizer, hf_special_tokens(config, tokenizer));
      // ropelm encodes with the bare sentencepiece model: no bos/eos added, no legacy=False prefix handling.
      settings.update({{"tokenizer_class", "LlamaTokenizer"},
                       {"add_bos_token", false},
                       {"add_eos_token", false},
                       {"legacy", true}});
      break;
  }
  settings.update(specials);
  write_json(dir / "tokenizer_config.json", settings);
  write_json(dir / "special_tokens_map.json", specials);
}

TokenizerConfig tokenizer_config_from_hf(const fs::path& dir, const TokenizerConfig& base) {
  TokenizerConfig config = base;
  config.merges.clear();
  if (fs::exists(dir / "vocab.txt")) {
    config.type = TokenizerKind::kWordPiece;
    config.vocab = (dir / "vocab.txt").string();
    config.lowercase = true;  // BertTokenizer's default
    fs::path settings_path = dir / "tokenizer_config.json";
    if (fs::exists(settings_path)) {
      try {
        config.lowercase = nlohmann::json::parse(read_file(settings_path)).value("do_lower_case", true);
      } catch (const nlohmann::json::exception& error) {
        throw UserError("invalid " + settings_path.string() + ": " + error.what());
      }
    }
  } else if (fs::exists(dir / "vocab.json") && fs::exists(dir / "merges.txt")) {
    config.type = TokenizerKind::kGpt2;
    config.vocab = (dir / "vocab.json").string();
    config.merges = (dir / "merges.txt").string();
  } else if (fs::exists(dir / "tokenizer.model")) {
    config.type = TokenizerKind::kSentencePiece;
    config.vocab = (dir / "tokenizer.model").string();
  } else {
    throw UserError(dir.string() +
                    " has no tokenizer ropelm reads: expected vocab.txt (WordPiece), vocab.json + merges.txt "
                    "(GPT-2) or tokenizer.model (sentencepiece); tokenizer.json alone is not supported");
  }
  return config;
}

}  // namespace ropelm
