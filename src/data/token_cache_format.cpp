// Reading and writing the token cache file format.
#include "data/token_cache_format.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "util/error.h"

namespace ropelm {

namespace {

constexpr char kMagic[8] = {'R', 'P', 'L', 'M', 'T', 'O', 'K', '1'};
constexpr size_t kFixedBytes = 48;

template <typename T>
void put(std::string& out, size_t offset, T value) {
  std::memcpy(out.data() + offset, &value, sizeof(T));
}

template <typename T>
T get(std::string_view in, size_t offset) {
  T value;
  std::memcpy(&value, in.data() + offset, sizeof(T));
  return value;
}

nlohmann::json info_to_json(const CacheSourceInfo& info) {
  nlohmann::json sources = nlohmann::json::array();
  for (const SourceFile& source : info.sources) {
    sources.push_back({{"path", source.path.string()}, {"size", source.size}, {"sha256", source.sha256}});
  }
  return {{"tokenizer_hash", info.tokenizer_hash},
          {"vocab_size", info.vocab_size},
          {"end_of_document_id", info.end_of_document_id},
          {"paragraphs", info.paragraphs},
          {"sources", sources}};
}

CacheSourceInfo info_from_json(const nlohmann::json& json) {
  CacheSourceInfo info;
  info.tokenizer_hash = json.at("tokenizer_hash").get<std::string>();
  info.vocab_size = json.at("vocab_size").get<int64_t>();
  info.end_of_document_id = json.at("end_of_document_id").get<TokenId>();
  info.paragraphs = json.at("paragraphs").get<bool>();
  for (const auto& source : json.at("sources")) {
    info.sources.push_back({source.at("path").get<std::string>(), source.at("size").get<uint64_t>(),
                            source.at("sha256").get<std::string>()});
  }
  return info;
}

std::string encode_header(const CacheHeader& header) {
  std::string metadata = info_to_json(header.info).dump();
  metadata.resize((metadata.size() + 7) / 8 * 8, ' ');  // keeps the payload aligned for uint32 reads
  std::string out(kFixedBytes, '\0');
  std::memcpy(out.data(), kMagic, sizeof(kMagic));
  put<uint32_t>(out, 8, kTokenCacheVersion);
  put<uint32_t>(out, 12, static_cast<uint32_t>(header.dtype_bytes));
  put<uint64_t>(out, 16, header.token_count);
  put<uint64_t>(out, 24, header.document_count);
  put<uint64_t>(out, 32, header.checksum);
  put<uint64_t>(out, 40, metadata.size());
  return out + metadata;
}

[[noreturn]] void fail_write() {
  throw UserError(std::string("cannot write the token cache: ") + std::strerror(errno) +
                  " (check free space in data.cache_dir)");
}

void write_all(std::FILE* file, const void* data, size_t bytes) {
  if (bytes > 0 && std::fwrite(data, 1, bytes, file) != bytes) fail_write();
}

std::optional<CacheHeader> reject(std::string& problem, std::string reason) {
  problem = std::move(reason);
  return std::nullopt;
}

uint64_t checksum_of(std::string_view payload, int dtype_bytes) {
  PayloadChecksum checksum;
  if (dtype_bytes == 2) {
    const auto* tokens = reinterpret_cast<const uint16_t*>(payload.data());
    for (size_t i = 0; i < payload.size() / 2; ++i) checksum.add(tokens[i]);
  } else {
    const auto* tokens = reinterpret_cast<const uint32_t*>(payload.data());
    for (size_t i = 0; i < payload.size() / 4; ++i) checksum.add(tokens[i]);
  }
  return checksum.value();
}

}  // namespace

int dtype_bytes_for_vocab(int64_t vocab_size) {
  return vocab_size <= 65536 ? 2 : 4;
}

TokenCacheWriter::TokenCacheWriter(std::FILE* file, const CacheSourceInfo& info) : file_(file) {
  header_.dtype_bytes = dtype_bytes_for_vocab(info.vocab_size);
  header_.info = info;
  std::string bytes = encode_header(header_);
  header_.payload_offset = bytes.size();
  write_all(file_, bytes.data(), bytes.size());
}

void TokenCacheWriter::append_document(std::span<const TokenId> ids) {
  if (ids.empty()) return;  // nothing to join: a document of only whitespace under WordPiece
  if (header_.document_count > 0) {
    TokenId separator = header_.info.end_of_document_id;
    write_tokens({&separator, 1});
  }
  write_tokens(ids);
  ++header_.document_count;
}

void TokenCacheWriter::write_tokens(std::span<const TokenId> ids) {
  buffer_.resize(ids.size() * static_cast<size_t>(header_.dtype_bytes));
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= header_.info.vocab_size) {
      throw std::logic_error("tokenizer returned id " + std::to_string(ids[i]) + " outside its vocabulary");
    }
    auto token = static_cast<uint32_t>(ids[i]);
    checksum_.add(token);
    if (header_.dtype_bytes == 2) {
      auto narrow = static_cast<uint16_t>(token);
      std::memcpy(buffer_.data() + 2 * i, &narrow, 2);
    } else {
      std::memcpy(buffer_.data() + 4 * i, &token, 4);
    }
  }
  write_all(file_, buffer_.data(), buffer_.size());
  header_.token_count += ids.size();
}

void TokenCacheWriter::finish() {
  header_.checksum = checksum_.value();
  std::string bytes = encode_header(header_);
  if (std::fseek(file_, 0, SEEK_SET) != 0) fail_write();
  write_all(file_, bytes.data(), bytes.size());
  if (std::fseek(file_, 0, SEEK_END) != 0) fail_write();
}

std::optional<CacheHeader> parse_cache_file(std::string_view file, std::string& problem) {
  if (file.size() < kFixedBytes) return reject(problem, "shorter than its header");
  if (std::memcmp(file.data(), kMagic, sizeof(kMagic)) != 0) return reject(problem, "not a token cache");
  if (uint32_t version = get<uint32_t>(file, 8); version != kTokenCacheVersion) {
    return reject(problem, "format version " + std::to_string(version));
  }
  CacheHeader header;
  header.dtype_bytes = static_cast<int>(get<uint32_t>(file, 12));
  header.token_count = get<uint64_t>(file, 16);
  header.document_count = get<uint64_t>(file, 24);
  header.checksum = get<uint64_t>(file, 32);
  uint64_t metadata_bytes = get<uint64_t>(file, 40);
  if (header.dtype_bytes != 2 && header.dtype_bytes != 4) return reject(problem, "bad token width");
  if (metadata_bytes > file.size() - kFixedBytes || metadata_bytes % 8 != 0) {
    return reject(problem, "metadata length " + std::to_string(metadata_bytes) + " is invalid");
  }
  try {
    header.info = info_from_json(nlohmann::json::parse(file.substr(kFixedBytes, metadata_bytes)));
  } catch (const nlohmann::json::exception&) {
    return reject(problem, "unreadable metadata");
  }
  header.payload_offset = kFixedBytes + metadata_bytes;
  if (header.token_count > file.size() / static_cast<uint64_t>(header.dtype_bytes)) {
    return reject(problem, "token count " + std::to_string(header.token_count) + " exceeds the file");
  }
  uint64_t expected = header.payload_offset + header.token_count * static_cast<uint64_t>(header.dtype_bytes);
  if (file.size() != expected) {
    return reject(problem,
                  "size " + std::to_string(file.size()) + " bytes, header says " + std::to_string(expected));
  }
  if (checksum_of(file.substr(header.payload_offset), header.dtype_bytes) != header.checksum) {
    return reject(problem, "token checksum mismatch");
  }
  return header;
}

}  // namespace ropelm
