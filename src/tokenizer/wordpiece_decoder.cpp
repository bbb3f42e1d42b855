// HF's WordPiece decoder with its cleanup step.
#include "tokenizer/wordpiece_decoder.h"

#include <array>
#include <utility>

namespace ropelm {
namespace {

// HF's decoders::wordpiece::cleanup, in its order. It runs on each token's text separately, so only the
// leading space it was given can take part: " ." etc. fire, " ' " and " do not" never do.
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kCleanup = {{
    {" .", "."},
    {" ?", "?"},
    {" !", "!"},
    {" ,", ","},
    {" ' ", "'"},
    {" n't", "n't"},
    {" 'm", "'m"},
    {" do not", " don't"},
    {" 's", "'s"},
    {" 've", "'ve"},
    {" 're", "'re"},
}};

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

void append_decoded_wordpiece(std::string_view token, size_t index, std::string& out) {
  std::string piece;
  if (index == 0) {
    piece = token;
  } else if (token.starts_with("##")) {
    piece = token.substr(2);
  } else {
    piece = " ";
    piece += token;
  }
  for (const auto& [from, to] : kCleanup) replace_all(piece, from, to);
  out += piece;
}

}  // namespace ropelm
