// BERT vocab.txt files: one token per line, id = line index.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ropelm {

// Reads and checks a vocab.txt: throws UserError naming the path (and line) when it is missing, empty, not
// UTF-8, or has an empty line or a token twice. A trailing "\r" (CRLF files) is not part of the token.
std::vector<std::string> read_vocab_file(const std::filesystem::path& path);

// The text of a vocab.txt holding `tokens`, each line ended by "\n".
std::string vocab_file_text(const std::vector<std::string>& tokens);

}  // namespace ropelm
