// Reading and writing BERT vocab.txt files.
#include "tokenizer/vocab_file.h"

#include <string_view>
#include <unordered_map>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/utf8.h"

namespace ropelm {
namespace {

[[noreturn]] void fail_at(const std::filesystem::path& path, size_t line, const std::string& what) {
  throw UserError(path.string() + ":" + std::to_string(line) + ": " + what);
}

}  // namespace

std::vector<std::string> read_vocab_file(const std::filesystem::path& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw UserError("vocab file " + path.string() + " does not exist (tokenizer.vocab / --vocab)");
  }
  std::string text = read_file(path);
  if (text.empty()) throw UserError("vocab file " + path.string() + " is empty");
  std::vector<std::string> tokens;
  std::unordered_map<std::string_view, size_t> line_of;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t newline = rest.find('\n');
    std::string_view token = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
    if (!token.empty() && token.back() == '\r') token.remove_suffix(1);
    size_t line = tokens.size() + 1;
    if (token.empty()) fail_at(path, line, "empty token (one token per line, no blank lines)");
    try {
      utf8::validate(token);
    } catch (const UserError& error) {
      fail_at(path, line, error.what());
    }
    auto [previous, inserted] = line_of.emplace(token, line);
    if (!inserted) {
      fail_at(path, line,
              "token '" + std::string(token) + "' repeats line " + std::to_string(previous->second));
    }
    tokens.emplace_back(token);
  }
  return tokens;
}

std::string vocab_file_text(const std::vector<std::string>& tokens) {
  std::string text;
  for (const std::string& token : tokens) {
    text += token;
    text += '\n';
  }
  return text;
}

}  // namespace ropelm
