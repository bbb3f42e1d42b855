// Vocab building: BERT-normalise and pre-tokenise the corpus, train sentencepiece BPE on it, and convert its
// pieces to WordPiece entries ("▁x" starts a word → "x"; "y" continues one → "##y").
#include "tokenizer/vocab_builder.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <unordered_map>
#include <unordered_set>

#include "tokenizer/bert_normalizer.h"
#include "tokenizer/bert_pre_tokenizer.h"
#include "tokenizer/sentencepiece_library.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/parallel_tasks.h"
#include "util/utf8.h"

namespace ropelm {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 5> kSpecialTokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
constexpr std::string_view kWordStart = "\xE2\x96\x81";  // U+2581, sentencepiece's word-start mark
// sentencepiece skips sentences longer than its max_sentence_length (4192 bytes): lines are wrapped sooner.
constexpr size_t kMaxLineBytes = 2048;

// The corpus as sentencepiece sees it: one line per input line, its BERT words separated by single spaces.
struct TrainingText {
  std::string lines;
  std::unordered_map<char32_t, int64_t> char_counts;
};

// Builds the TrainingText line by line, reusing its buffers.
class TrainingTextBuilder {
 public:
  explicit TrainingTextBuilder(bool lowercase) : normalizer_(lowercase) {}

  // `offset`: the line's byte offset in its file, for invalid UTF-8 errors.
  void add_line(std::string_view line, size_t offset) {
    normalized_.clear();
    words_.clear();
    normalizer_.normalize(line, offset, normalized_);
    split_bert_words(normalized_, words_);
    size_t line_begin = text_.lines.size();
    for (size_t i = 0; i < words_.size(); ++i) {
      if (i > 0 && text_.lines.size() - line_begin > kMaxLineBytes) {
        text_.lines += '\n';
        line_begin = text_.lines.size();
      } else if (i > 0) {
        text_.lines += ' ';
      }
      text_.lines += words_[i];
      count_chars(words_[i]);
    }
    if (!words_.empty()) text_.lines += '\n';
  }

  TrainingText take() { return std::move(text_); }

 private:
  void count_chars(std::string_view word) {
    for (size_t pos = 0; pos < word.size();) {
      char32_t code_point = 0;
      pos += utf8::decode(word, pos, 0, code_point);
      ++text_.char_counts[code_point];
    }
  }

  BertNormalizer normalizer_;
  std::string normalized_;
  std::vector<std::string_view> words_;
  TrainingText text_;
};

TrainingText training_text(const VocabBuildOptions& options) {
  TrainingTextBuilder builder(options.lowercase);
  for (const fs::path& path : options.corpus) {
    std::string content = read_file(path);
    try {
      for (size_t begin = 0; begin < content.size();) {
        size_t end = std::min(content.find('\n', begin), content.size());
        builder.add_line(std::string_view(content).substr(begin, end - begin), begin);
        begin = end + 1;
      }
    } catch (const UserError& error) {
      throw UserError(path.string() + ": " + error.what());
    }
  }
  TrainingText text = builder.take();
  if (text.lines.empty()) throw UserError("the corpus has no words to build a vocab from");
  return text;
}

// The most frequent characters, at most `budget` of them (each takes two entries: bare and "##").
std::vector<char32_t> frequent_chars(const std::unordered_map<char32_t, int64_t>& counts, size_t budget) {
  std::vector<std::pair<int64_t, char32_t>> by_count;
  for (const auto& [code_point, count] : counts) by_count.emplace_back(-count, code_point);
  std::sort(by_count.begin(), by_count.end());
  if (by_count.size() > budget) {
    spdlog::warn(
        "vocab build: keeping the {} most frequent of {} characters; words with the others become [UNK]",
        budget, by_count.size());
    by_count.resize(budget);
  }
  std::vector<char32_t> chars;
  for (const auto& entry : by_count) chars.push_back(entry.second);
  return chars;
}

// A private scratch folder, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("ropelm-vocab-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The text is normalised already (identity rule); pieces never cross words (split_by_whitespace), and BPE
// builds every piece from smaller ones, which suits WordPiece's greedy longest match.
std::string trainer_options(const fs::path& input, const fs::path& prefix, int64_t vocab_size, int threads) {
  return "--input=" + input.string() + " --model_prefix=" + prefix.string() +
         " --model_type=bpe --vocab_size=" + std::to_string(vocab_size) +
         " --character_coverage=1.0 --normalization_rule_name=identity --split_by_whitespace=true"
         " --add_dummy_prefix=true --remove_extra_whitespaces=true --hard_vocab_limit=false"
         " --input_sentence_size=2000000 --shuffle_input_sentence=true --num_threads=" +
         std::to_string(resolve_thread_count(threads));
}

// Appends the model's pieces as WordPiece entries, in id order (BPE: merge order), up to `size` in all.
void append_pieces(const SentencePieceModel& model, size_t size, std::vector<std::string>& tokens,
                   std::unordered_set<std::string>& seen) {
  for (TokenId id = 0; id < model.piece_count() && tokens.size() < size; ++id) {
    if (model.kind(id) != SentencePieceKind::kNormal) continue;
    std::string piece = model.piece(id);
    std::string entry = piece.starts_with(kWordStart) ? piece.substr(kWordStart.size()) : "##" + piece;
    if (entry.empty() || entry == "##") continue;
    if (seen.insert(entry).second) tokens.push_back(std::move(entry));
  }
}

}  // namespace

std::vector<std::string> build_wordpiece_vocab(const VocabBuildOptions& options) {
  std::vector<std::string> tokens(kSpecialTokens.begin(), kSpecialTokens.end());
  auto size = static_cast<size_t>(options.size);
  if (options.size < 16) {
    throw UserError("--size " + std::to_string(options.size) + " is too small (at least 16)");
  }
  TrainingText text = training_text(options);
  std::unordered_set<std::string> seen(tokens.begin(), tokens.end());
  for (char32_t code_point : frequent_chars(text.char_counts, (size - tokens.size()) / 4)) {
    std::string bare;
    utf8::append(bare, code_point);
    for (std::string entry : {bare, "##" + bare}) {
      if (seen.insert(entry).second) tokens.push_back(std::move(entry));
    }
  }
  size_t char_entries = tokens.size() - kSpecialTokens.size();
  TempDir scratch;
  fs::path input = scratch.path() / "corpus.txt";
  write_file_atomic(input, text.lines);
  // sentencepiece's own single characters repeat entries made above, so it is asked for that many more pieces
  // (and for room for every character plus its three meta pieces).
  auto spm_size = std::max(static_cast<int64_t>(size - kSpecialTokens.size() + char_entries),
                           static_cast<int64_t>(text.char_counts.size()) + 8);
  train_sentencepiece(trainer_options(input, scratch.path() / "spm", spm_size, options.threads));
  fs::path model_path = scratch.path() / "spm.model";
  append_pieces(SentencePieceModel(model_path), size, tokens, seen);
  if (tokens.size() < size) {
    spdlog::warn("vocab build: the corpus gave {} entries, fewer than --size {}", tokens.size(), size);
  }
  if (!options.sentencepiece_model.empty()) {
    write_file_atomic(options.sentencepiece_model, read_file(model_path));
  }
  return tokens;
}

}  // namespace ropelm
