// SHA-256 of bytes and files (OpenSSL's EVP), as lowercase hex: content hashes for caches and checkpoints.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace ropelm {

std::string sha256_hex(std::string_view bytes);
// Streams the file; throws UserError naming the path when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace ropelm
