// tokenizer.json for WordPiece, in the schema of the `tokenizers` library (the file HF's BertTokenizerFast
// saves, without its [CLS]/[SEP] template post-processor).
#include "interop/hf_fast_tokenizer.h"

#include <nlohmann/json.hpp>

#include <array>

#include "util/atomic_file.h"

namespace ropelm {

void write_wordpiece_tokenizer_json(const TokenizerConfig& config, const Tokenizer& tokenizer,
                                    const std::filesystem::path& dir) {
  nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
  for (TokenId id = 0; id < tokenizer.vocab_size(); ++id) vocab[tokenizer.token(id)] = id;
  nlohmann::ordered_json added = nlohmann::ordered_json::array();
  for (const char* text : std::array{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
    if (!vocab.contains(text)) continue;
    added.push_back({{"id", vocab[text]},
                     {"content", text},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  }
  // strip_accents null: accents are stripped exactly when lowercasing, as ropelm's BERT normaliser does.
  nlohmann::ordered_json json = {{"version", "1.0"},
                                 {"truncation", nullptr},
                                 {"padding", nullptr},
                                 {"added_tokens", added},
                                 {"normalizer",
                                  {{"type", "BertNormalizer"},
                                   {"clean_text", true},
                                   {"handle_chinese_chars", true},
                                   {"strip_accents", nullptr},
                                   {"lowercase", config.lowercase}}},
                                 {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
                                 {"post_processor", nullptr},
                                 {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
                                 {"model",
                                  {{"type", "WordPiece"},
                                   {"unk_token", "[UNK]"},
                                   {"continuing_subword_prefix", "##"},
                                   {"max_input_chars_per_word", 100},
                                   {"vocab", vocab}}}};
  write_file_atomic(dir / "tokenizer.json", json.dump(2) + "\n");
}

}  // namespace ropelm
