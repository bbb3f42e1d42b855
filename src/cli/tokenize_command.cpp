// `ropelm tokenize`: stdin texts → one line of ids (or tokens) per text, or id lines → text with --decode.
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "tokenizer/corpus_encoder.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"
#include "util/parallel_tasks.h"

namespace ropelm::cli {
namespace {

struct TokenizeArgs {
  ConfigArgs config;
  std::string vocab, merges, lowercase;
  std::optional<TokenizerKind> type;
  bool split_special_tokens = false;
  bool special = false;
  bool decode = false;
  std::string format = "ids";
  std::string input_format = "lines";
};

// Texts are handed to threads in tasks of about this many input bytes, and written out a round at a time.
constexpr size_t kTaskBytes = 64 * 1024;
constexpr size_t kTasksPerThreadPerRound = 8;

std::string read_stdin() {
  std::string data;
  std::vector<char> buffer(1 << 20);
  size_t count = 0;
  while ((count = std::fread(buffer.data(), 1, buffer.size(), stdin)) > 0) data.append(buffer.data(), count);
  if (std::ferror(stdin)) throw UserError("cannot read stdin");
  return data;
}

// The lines of `data`, split on "\n" only; a final "\n" does not start another (empty) line.
std::vector<std::string_view> split_lines(std::string_view data) {
  std::vector<std::string_view> lines;
  for (size_t begin = 0; begin < data.size();) {
    size_t end = std::min(data.find('\n', begin), data.size());
    lines.push_back(data.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

std::string jsonl_text(std::string_view line) {
  nlohmann::json object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) throw UserError("not a JSON object (--input-format jsonl)");
  if (!object.is_object() || !object.contains("text") || !object["text"].is_string()) {
    throw UserError("no string field \"text\" (--input-format jsonl)");
  }
  return object["text"].get<std::string>();
}

std::vector<TokenId> parse_ids(std::string_view line) {
  std::vector<TokenId> ids;
  const char* pos = line.data();
  const char* end = line.data() + line.size();
  while (pos < end) {
    if (*pos == ' ' || *pos == '\t' || *pos == '\r') {
      ++pos;
      continue;
    }
    TokenId id = 0;
    auto [next, error] = std::from_chars(pos, end, id);
    if (error != std::errc() || (next < end && *next != ' ' && *next != '\t' && *next != '\r')) {
      throw UserError("'" + std::string(line) + "' is not a list of token ids (--decode)");
    }
    ids.push_back(id);
    pos = next;
  }
  return ids;
}

class TokenizeRun {
 public:
  TokenizeRun(const TokenizeArgs& args, const Tokenizer& tokenizer) : args_(args), tokenizer_(tokenizer) {
    if (args.special && (!tokenizer.cls_id() || !tokenizer.sep_id())) {
      throw UserError("--special: this tokenizer has no [CLS]/[SEP] tokens to wrap texts with");
    }
  }

  // Appends the output line of one input line (number `line_number`, 1-based); errors name the line.
  void process_line(std::string_view line, size_t line_number, std::string& out) const {
    try {
      if (args_.decode) {
        out += tokenizer_.decode(parse_ids(line));
      } else if (args_.input_format == "jsonl") {
        append_ids(tokenizer_.encode(jsonl_text(line)), out);
      } else {
        append_ids(tokenizer_.encode(line), out);
      }
    } catch (const UserError& error) {
      throw UserError("stdin line " + std::to_string(line_number) + ": " + error.what());
    }
    out += '\n';
  }

  void append_ids(const std::vector<TokenId>& ids, std::string& out) const {
    bool first = true;
    auto append = [&](TokenId id) {
      if (!first) out += ' ';
      first = false;
      if (args_.format == "tokens") {
        out += tokenizer_.token(id);
        return;
      }
      char digits[16];
      out.append(digits, std::to_chars(digits, digits + sizeof(digits), id).ptr);
    };
    if (args_.special) append(*tokenizer_.cls_id());
    for (TokenId id : ids) append(id);
    if (args_.special) append(*tokenizer_.sep_id());
  }

 private:
  const TokenizeArgs& args_;
  const Tokenizer& tokenizer_;
};

void write_stdout(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size()) {
    throw UserError("cannot write stdout");
  }
}

// Lines go to threads in tasks of about kTaskBytes; outputs are written in input order, a round at a time.
void process_lines(const TokenizeRun& run, std::string_view data, int threads) {
  std::vector<std::string_view> lines = split_lines(data);
  std::vector<size_t> task_begin = {0};
  for (size_t i = 0, bytes = 0; i < lines.size(); ++i) {
    bytes += lines[i].size() + 1;
    if (bytes >= kTaskBytes) {
      task_begin.push_back(i + 1);
      bytes = 0;
    }
  }
  if (task_begin.back() != lines.size()) task_begin.push_back(lines.size());
  size_t tasks = task_begin.size() - 1;
  size_t round_size = static_cast<size_t>(resolve_thread_count(threads)) * kTasksPerThreadPerRound;
  std::vector<std::string> outputs(round_size);
  for (size_t round = 0; round < tasks; round += round_size) {
    size_t count = std::min(round_size, tasks - round);
    run_parallel(count, threads, [&](size_t i) {
      outputs[i].clear();
      for (size_t line = task_begin[round + i]; line < task_begin[round + i + 1]; ++line) {
        run.process_line(lines[line], line + 1, outputs[i]);
      }
    });
    for (size_t i = 0; i < count; ++i) write_stdout(outputs[i]);
  }
}

TokenizerConfig tokenizer_config(const TokenizeArgs& args, const Config& config) {
  TokenizerConfig tokenizer = config.tokenizer;
  if (!args.vocab.empty()) tokenizer.vocab = args.vocab;
  if (args.type) tokenizer.type = *args.type;
  if (!args.merges.empty()) tokenizer.merges = args.merges;
  if (!args.lowercase.empty()) tokenizer.lowercase = args.lowercase == "true";
  if (args.split_special_tokens) tokenizer.split_special_tokens = true;
  return tokenizer;
}

void run_tokenize(const TokenizeArgs& args, const GlobalOptions& global) {
  Config config = resolve_config(args.config, global);
  std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(tokenizer_config(args, config));
  auto threads = static_cast<int>(config.train.threads);
  TokenizeRun run(args, *tokenizer);
  std::string data = read_stdin();
  auto start = std::chrono::steady_clock::now();
  if (args.input_format == "whole" && !args.decode) {
    std::string line;
    run.append_ids(encode_corpus(*tokenizer, data, threads), line);
    write_stdout(line + "\n");
  } else {
    process_lines(run, data, threads);
  }
  std::fflush(stdout);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::debug("tokenize: {:.1f} MB in {:.2f} s ({:.1f} MB/s)", data.size() / 1e6, seconds,
                data.size() / 1e6 / std::max(seconds, 1e-9));
}

void setup_tokenize(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<TokenizeArgs>();
  CLI::App* command =
      app.add_subcommand("tokenize", "encode stdin texts to token ids (or decode ids to text)");
  add_config_options(*command, args->config, /*required=*/false);
  command->add_option("--vocab", args->vocab, "vocab.txt, .model or encoder.json (default: tokenizer.vocab)");
  add_choice_option(*command, "--type", args->type, "default: tokenizer.type; bytes needs no --vocab");
  command->add_option("--merges", args->merges, "gpt2 merges file (vocab.bpe)");
  command->add_option("--lowercase", args->lowercase, "wordpiece: true = uncased, false = cased")
      ->check(CLI::IsMember({"true", "false"}));
  command->add_flag("--split-special-tokens", args->split_special_tokens,
                    "treat special-token text such as [SEP] in the input as plain text");
  command->add_flag("--special", args->special, "wrap each text as [CLS] ... [SEP]");
  command->add_option("--format", args->format, "ids | tokens")->check(CLI::IsMember({"ids", "tokens"}));
  command->add_option("--input-format", args->input_format, "lines | jsonl (field \"text\") | whole")
      ->check(CLI::IsMember({"lines", "jsonl", "whole"}));
  command->add_flag("--decode", args->decode, "read lines of ids and print their text");
  command->callback([args, &global] { run_tokenize(*args, global); });
}

const bool registered = register_command({"tokenize", setup_tokenize});

}  // namespace
}  // namespace ropelm::cli
