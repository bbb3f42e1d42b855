// `ropelm vocab build`: trains a BERT-style WordPiece vocab.txt with sentencepiece's BPE trainer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ropelm {

struct VocabBuildOptions {
  std::vector<std::filesystem::path> corpus;  // UTF-8 text files
  int64_t size = 30522;                       // entries in the vocab, the five specials included
  bool lowercase = true;                      // uncased (lowercase + strip accents) or cased normalisation
  int threads = 0;                            // trainer threads; <= 0: all cores
  std::filesystem::path sentencepiece_model;  // where to keep the trained sentencepiece model; empty: nowhere
};

// The tokens of the vocab, in id order: [PAD] [UNK] [CLS] [SEP] [MASK], then every frequent character both
// bare and "##"-continued (so that WordPiece can spell any word made of them), then the trained pieces —
// word-initial ones bare, continuations with "##" — until `size` entries. Throws UserError for unreadable
// corpus files, invalid UTF-8, a too small size, or a trainer failure.
std::vector<std::string> build_wordpiece_vocab(const VocabBuildOptions& options);

}  // namespace ropelm
