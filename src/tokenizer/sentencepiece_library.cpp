// Loading the sentencepiece shim with dlopen(RTLD_LOCAL | RTLD_DEEPBIND), so that its protobuf binds to
// itself and never to LibTorch's (docs/libtorch-notes.md#two-protobufs), and wrapping its C API.
#include "tokenizer/sentencepiece_library.h"

#include <dlfcn.h>

#include <cstdlib>

#include "tokenizer/spm_shim_api.h"
#include "util/error.h"

namespace ropelm {
namespace {

namespace fs = std::filesystem;

// The shim's functions, resolved once per process.
struct SpmShim {
  decltype(&ropelm_spm_abi_version) abi_version;
  decltype(&ropelm_spm_last_error) last_error;
  decltype(&ropelm_spm_load) load;
  decltype(&ropelm_spm_free) free;
  decltype(&ropelm_spm_encode) encode;
  decltype(&ropelm_spm_decode) decode;
  decltype(&ropelm_spm_piece_count) piece_count;
  decltype(&ropelm_spm_piece) piece;
  decltype(&ropelm_spm_piece_kind) piece_kind;
  decltype(&ropelm_spm_special_id) special_id;
  decltype(&ropelm_spm_train) train;
};

// Where the shim may be: beside the running executable (install and build trees alike), then
// $ROPELM_SPM_SHIM.
std::vector<fs::path> shim_candidates() {
  std::vector<fs::path> candidates;
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) candidates.push_back(exe.parent_path() / ROPELM_SPM_SHIM_NAME);
  if (const char* env = std::getenv("ROPELM_SPM_SHIM"); env && *env) candidates.emplace_back(env);
  return candidates;
}

template <typename Function>
void resolve(void* library, const char* name, Function& function) {
  function = reinterpret_cast<Function>(dlsym(library, name));
  if (!function) {
    throw UserError(std::string("the sentencepiece shim lacks ") + name + ": rebuild ropelm_spm");
  }
}

SpmShim load_shim() {
  std::string tried;
  for (const fs::path& candidate : shim_candidates()) {
    if (!fs::exists(candidate)) {
      tried += ' ';
      tried += candidate.string();
      continue;
    }
    void* library = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!library) {
      throw UserError("cannot load the sentencepiece shim " + candidate.string() + ": " + dlerror());
    }
    SpmShim shim{};
    resolve(library, "ropelm_spm_abi_version", shim.abi_version);
    if (shim.abi_version() != ROPELM_SPM_ABI_VERSION) {
      throw UserError("the sentencepiece shim " + candidate.string() + " is from another ropelm version");
    }
    resolve(library, "ropelm_spm_last_error", shim.last_error);
    resolve(library, "ropelm_spm_load", shim.load);
    resolve(library, "ropelm_spm_free", shim.free);
    resolve(library, "ropelm_spm_encode", shim.encode);
    resolve(library, "ropelm_spm_decode", shim.decode);
    resolve(library, "ropelm_spm_piece_count", shim.piece_count);
    resolve(library, "ropelm_spm_piece", shim.piece);
    resolve(library, "ropelm_spm_piece_kind", shim.piece_kind);
    resolve(library, "ropelm_spm_special_id", shim.special_id);
    resolve(library, "ropelm_spm_train", shim.train);
    return shim;
  }
  throw UserError(std::string("sentencepiece needs the shim library ") + ROPELM_SPM_SHIM_NAME +
                  ", not found at:" + tried +
                  " (build the ropelm_spm target, or set ROPELM_SPM_SHIM to its path)");
}

const SpmShim& shim() {
  static const SpmShim loaded = load_shim();
  return loaded;
}

void append_ids(void* context, const int32_t* ids, size_t count) {
  static_cast<std::vector<TokenId>*>(context)->assign(ids, ids + count);
}

void append_text(void* context, const char* text, size_t size) {
  static_cast<std::string*>(context)->append(text, size);
}

}  // namespace

SentencePieceModel::SentencePieceModel(const fs::path& path) {
  if (!fs::is_regular_file(path)) throw UserError("sentencepiece model " + path.string() + " does not exist");
  model_ = shim().load(path.c_str());
  if (!model_) {
    throw UserError("cannot load sentencepiece model " + path.string() + ": " + shim().last_error());
  }
}

SentencePieceModel::~SentencePieceModel() {
  shim().free(model_);
}

std::vector<TokenId> SentencePieceModel::encode(std::string_view text) const {
  std::vector<TokenId> ids;
  if (shim().encode(model_, text.data(), text.size(), append_ids, &ids) != 0) {
    throw UserError(std::string("sentencepiece cannot encode the text: ") + shim().last_error());
  }
  return ids;
}

std::string SentencePieceModel::decode(std::span<const TokenId> ids) const {
  std::string text;
  if (shim().decode(model_, ids.data(), ids.size(), append_text, &text) != 0) {
    throw UserError(std::string("sentencepiece cannot decode the ids: ") + shim().last_error());
  }
  return text;
}

int32_t SentencePieceModel::piece_count() const {
  return shim().piece_count(model_);
}

std::string SentencePieceModel::piece(TokenId id) const {
  std::string text;
  shim().piece(model_, id, append_text, &text);
  return text;
}

SentencePieceKind SentencePieceModel::kind(TokenId id) const {
  // SentencePieceKind lists the kinds in RopelmSpmPieceKind's order.
  return static_cast<SentencePieceKind>(shim().piece_kind(model_, id));
}

std::optional<TokenId> SentencePieceModel::special_id(int which) const {
  TokenId id = shim().special_id(model_, which);
  if (id < 0) return std::nullopt;
  return id;
}

std::optional<TokenId> SentencePieceModel::unk_id() const {
  return special_id(kRopelmSpmUnk);
}

std::optional<TokenId> SentencePieceModel::bos_id() const {
  return special_id(kRopelmSpmBos);
}

std::optional<TokenId> SentencePieceModel::eos_id() const {
  return special_id(kRopelmSpmEos);
}

void train_sentencepiece(const std::string& options) {
  if (shim().train(options.c_str()) != 0) {
    throw UserError(std::string("sentencepiece training failed: ") + shim().last_error());
  }
}

}  // namespace ropelm
