// Writing and verifying manifest.json (format "ropelm-checkpoint", version 1).
#include "checkpoint/checkpoint_manifest.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/sha256.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

using nlohmann::json;

constexpr const char* kFormat = "ropelm-checkpoint";
constexpr int kVersion = 1;

[[noreturn]] void reject(const fs::path& dir, const std::string& problem) {
  throw UserError("invalid checkpoint " + dir.string() + ": " + problem);
}

// Names come from a file we did not necessarily write: refuse anything that could point outside the
// directory.
bool is_plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos && name != kManifestFile;
}

ManifestFile parse_file_entry(const json& entry, const fs::path& dir) {
  if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
      !entry.contains("size") || !entry["size"].is_number_unsigned() || !entry.contains("sha256") ||
      !entry["sha256"].is_string()) {
    reject(dir,
           std::string(kManifestFile) + ": each file needs a string name, an unsigned size and a sha256");
  }
  ManifestFile file{entry["name"].get<std::string>(), entry["size"].get<uint64_t>(),
                    entry["sha256"].get<std::string>()};
  if (!is_plain_name(file.name)) {
    reject(dir, std::string(kManifestFile) + ": bad file name '" + file.name + "'");
  }
  return file;
}

json parse_manifest_json(const fs::path& dir) {
  fs::path path = dir / kManifestFile;
  if (!fs::is_regular_file(path)) reject(dir, std::string(kManifestFile) + " is missing (incomplete save?)");
  try {
    json manifest = json::parse(read_file(path));
    if (manifest.is_object() && manifest.value("format", "") == kFormat &&
        manifest.value("version", 0) == kVersion && manifest.contains("step") &&
        manifest["step"].is_number_integer() && manifest.contains("files") && manifest["files"].is_array() &&
        manifest.contains("tokenizer_files") && manifest["tokenizer_files"].is_array()) {
      return manifest;
    }
  } catch (const json::exception& error) {
    reject(dir, std::string(kManifestFile) + " is not valid JSON (" + error.what() + ")");
  }
  reject(dir, std::string(kManifestFile) + " is not a " + kFormat + " version " + std::to_string(kVersion) +
                  " manifest");
}

}  // namespace

void write_manifest(const fs::path& dir, int64_t step, const std::vector<std::string>& files,
                    const std::vector<std::string>& tokenizer_files) {
  json entries = json::array();
  for (const auto& name : files) {
    fs::path path = dir / name;
    entries.push_back({{"name", name}, {"size", fs::file_size(path)}, {"sha256", sha256_file(path)}});
  }
  json manifest = {{"format", kFormat},
                   {"version", kVersion},
                   {"step", step},
                   {"files", entries},
                   {"tokenizer_files", tokenizer_files}};
  write_file_atomic(dir / kManifestFile, manifest.dump(2) + "\n");
}

CheckpointManifest read_manifest(const fs::path& dir) {
  json manifest = parse_manifest_json(dir);
  CheckpointManifest result;
  result.step = manifest["step"].get<int64_t>();
  std::set<std::string> names;
  for (const auto& entry : manifest["files"]) {
    result.files.push_back(parse_file_entry(entry, dir));
    if (!names.insert(result.files.back().name).second) {
      reject(dir, std::string(kManifestFile) + " lists '" + result.files.back().name + "' twice");
    }
  }
  for (const auto& name : manifest["tokenizer_files"]) {
    if (!name.is_string() || !names.count(name.get<std::string>())) {
      reject(dir, std::string(kManifestFile) + ": tokenizer_files must name files listed under files");
    }
    result.tokenizer_files.push_back(name.get<std::string>());
  }
  for (const char* required : {kModelFile, kOptimizerFile, kTrainerStateFile, kConfigFile}) {
    if (!names.count(required)) reject(dir, std::string(kManifestFile) + " does not list " + required);
  }
  return result;
}

CheckpointManifest check_checkpoint(const fs::path& dir, bool hash_files) {
  CheckpointManifest manifest = read_manifest(dir);
  for (const auto& file : manifest.files) {
    fs::path path = dir / file.name;
    std::error_code error;
    uint64_t size = fs::file_size(path, error);
    if (error) reject(dir, file.name + " is missing or unreadable (" + error.message() + ")");
    if (size != file.size) {
      reject(dir, file.name + " is " + std::to_string(size) + " bytes, the manifest says " +
                      std::to_string(file.size) + " (truncated or modified)");
    }
    if (hash_files && sha256_file(path) != file.sha256) {
      reject(dir, file.name + " does not match its sha256 in the manifest (corrupted or modified)");
    }
  }
  return manifest;
}

bool verify_checkpoint(const fs::path& dir, std::string* why, bool hash_files) {
  try {
    check_checkpoint(dir, hash_files);
    return true;
  } catch (const UserError& error) {
    if (why) *why = error.what();
    return false;
  }
}

}  // namespace ropelm
