// Document splitting and text validation of source files.
#include "data/corpus_documents.h"

#include <nlohmann/json.hpp>

#include <string>

#include "util/error.h"
#include "util/utf8.h"

namespace ropelm {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

void check_text(const fs::path& path, std::string_view text) {
  if (text.empty()) throw UserError(path.string() + " is empty: remove it from the data sources");
  size_t nul = text.find('\0');
  if (nul != std::string_view::npos) {
    throw UserError(path.string() + " looks binary (NUL byte at offset " + std::to_string(nul) +
                    "): data sources must be UTF-8 text");
  }
  size_t bad = utf8::first_invalid(text);
  if (bad != std::string_view::npos) {
    throw UserError(path.string() + " is not valid UTF-8 (byte offset " + std::to_string(bad) +
                    "): convert it to UTF-8 first");
  }
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

// Appends the maximal runs of non-blank lines of text, each without its final line break.
void append_paragraphs(std::string_view text, std::vector<std::string_view>& out) {
  size_t begin = std::string_view::npos;  // start of the current paragraph
  size_t end = 0;                         // end of its last non-blank line
  size_t line_start = 0;
  while (line_start <= text.size()) {
    size_t newline = text.find('\n', line_start);
    size_t line_end = newline == std::string_view::npos ? text.size() : newline;
    std::string_view line = text.substr(line_start, line_end - line_start);
    if (is_blank(line)) {
      if (begin != std::string_view::npos) out.push_back(text.substr(begin, end - begin));
      begin = std::string_view::npos;
    } else {
      if (begin == std::string_view::npos) begin = line_start;
      end = line.back() == '\r' ? line_end - 1 : line_end;
    }
    if (newline == std::string_view::npos) break;
    line_start = newline + 1;
  }
  if (begin != std::string_view::npos) out.push_back(text.substr(begin, end - begin));
}

std::vector<std::string> jsonl_texts(const fs::path& path, std::string_view text) {
  std::vector<std::string> texts;
  size_t line_start = 0;
  for (int64_t line_number = 1; line_start < text.size(); ++line_number) {
    size_t newline = text.find('\n', line_start);
    size_t line_end = newline == std::string_view::npos ? text.size() : newline;
    std::string_view line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (is_blank(line)) continue;
    nlohmann::json object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!object.is_object() || !object.contains("text") || !object["text"].is_string()) {
      throw UserError(path.string() + ":" + std::to_string(line_number) +
                      ": expected a JSON object with a string \"text\" field");
    }
    auto document = object["text"].get<std::string>();
    if (!document.empty()) texts.push_back(std::move(document));
  }
  if (texts.empty())
    throw UserError(path.string() + " holds no documents (no line has a non-empty \"text\")");
  return texts;
}

}  // namespace

SourceDocuments split_documents(const fs::path& path, std::string_view bytes, bool paragraphs) {
  if (bytes.starts_with(kByteOrderMark)) bytes.remove_prefix(kByteOrderMark.size());
  check_text(path, bytes);
  SourceDocuments result;
  std::vector<std::string_view> whole;
  if (path.extension() == ".jsonl") {
    result.owned = jsonl_texts(path, bytes);
    whole.assign(result.owned.begin(), result.owned.end());
  } else {
    whole.push_back(bytes);
  }
  if (!paragraphs) {
    result.documents = std::move(whole);
  } else {
    for (std::string_view document : whole) append_paragraphs(document, result.documents);
  }
  if (result.documents.empty()) throw UserError(path.string() + " holds only blank lines");
  return result;
}

}  // namespace ropelm
