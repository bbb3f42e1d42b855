// A checkpoint's manifest.json: every file's name, size and sha256; written last, so it marks completeness.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ropelm {

// The fixed files of a checkpoint directory; tokenizer files keep their own names beside them.
constexpr const char* kModelFile = "model.safetensors";
constexpr const char* kOptimizerFile = "optimizer.safetensors";
constexpr const char* kTrainerStateFile = "trainer_state.json";
constexpr const char* kConfigFile = "config.toml";
constexpr const char* kManifestFile = "manifest.json";

struct ManifestFile {
  std::string name;  // a plain file name inside the checkpoint directory
  uint64_t size = 0;
  std::string sha256;
};

struct CheckpointManifest {
  int64_t step = 0;
  std::vector<ManifestFile> files;
  std::vector<std::string> tokenizer_files;  // names, each also listed in files
};

// Hashes the named files of dir and writes dir/manifest.json atomically. Call it after every other file is
// written and fsynced: a directory is a checkpoint only once its manifest exists and verifies.
void write_manifest(const std::filesystem::path& dir, int64_t step, const std::vector<std::string>& files,
                    const std::vector<std::string>& tokenizer_files);

// Reads dir/manifest.json and checks its structure (format, version, plain file names, the fixed files
// present). Throws UserError naming the manifest and the problem.
CheckpointManifest read_manifest(const std::filesystem::path& dir);

// read_manifest, then checks every listed file's size and, when hash_files, its sha256 (which reads it all).
// Throws UserError naming the first missing, truncated or mismatching file.
CheckpointManifest check_checkpoint(const std::filesystem::path& dir, bool hash_files);

// check_checkpoint as a predicate (with hashes unless told otherwise); *why (if given) receives the reason
// when it returns false.
bool verify_checkpoint(const std::filesystem::path& dir, std::string* why = nullptr, bool hash_files = true);

}  // namespace ropelm
