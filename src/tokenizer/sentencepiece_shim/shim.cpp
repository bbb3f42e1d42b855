// libropelm_spm.so: sentencepiece behind the C interface of spm_shim_api.h, loaded with
// dlopen(RTLD_DEEPBIND).
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <string>
#include <vector>

#include "../spm_shim_api.h"

struct RopelmSpmModel {
  sentencepiece::SentencePieceProcessor processor;
};

// Declared in sentencepiece's common.h, which Debian does not install.
namespace sentencepiece::logging {
void SetMinLogLevel(int v);
}  // namespace sentencepiece::logging

namespace {

thread_local std::string last_error;

// sentencepiece logs to std::cerr. Under RTLD_DEEPBIND it binds to libstdc++'s own std::cerr, not the
// executable's copy-relocated one that iostream initialisation set up, and crashes on its first message: only
// fatal messages (which abort anyway) are let through.
const bool logging_silenced = [] {
  sentencepiece::logging::SetMinLogLevel(3);
  return true;
}();

int fail(const std::string& message) {
  last_error = message;
  return 1;
}

}  // namespace

extern "C" {

int ropelm_spm_abi_version(void) {
  return ROPELM_SPM_ABI_VERSION;
}

const char* ropelm_spm_last_error(void) {
  return last_error.c_str();
}

RopelmSpmModel* ropelm_spm_load(const char* path) {
  auto* model = new RopelmSpmModel;
  sentencepiece::util::Status status = model->processor.Load(path);
  if (status.ok()) return model;
  delete model;
  fail(status.ToString());
  return nullptr;
}

void ropelm_spm_free(RopelmSpmModel* model) {
  delete model;
}

int ropelm_spm_encode(const RopelmSpmModel* model, const char* text, size_t size, RopelmSpmIdSink sink,
                      void* context) {
  std::vector<int> ids;
  sentencepiece::util::Status status = model->processor.Encode(std::string_view(text, size), &ids);
  if (!status.ok()) return fail(status.ToString());
  static_assert(sizeof(int) == sizeof(int32_t));
  sink(context, reinterpret_cast<const int32_t*>(ids.data()), ids.size());
  return 0;
}

int ropelm_spm_decode(const RopelmSpmModel* model, const int32_t* ids, size_t count, RopelmSpmTextSink sink,
                      void* context) {
  std::string text;
  sentencepiece::util::Status status = model->processor.Decode(std::vector<int>(ids, ids + count), &text);
  if (!status.ok()) return fail(status.ToString());
  sink(context, text.data(), text.size());
  return 0;
}

int32_t ropelm_spm_piece_count(const RopelmSpmModel* model) {
  return model->processor.GetPieceSize();
}

void ropelm_spm_piece(const RopelmSpmModel* model, int32_t id, RopelmSpmTextSink sink, void* context) {
  const std::string& piece = model->processor.IdToPiece(id);
  sink(context, piece.data(), piece.size());
}

int ropelm_spm_piece_kind(const RopelmSpmModel* model, int32_t id) {
  const auto& processor = model->processor;
  if (processor.IsUnknown(id)) return kRopelmSpmUnknown;
  if (processor.IsControl(id)) return kRopelmSpmControl;
  if (processor.IsUnused(id)) return kRopelmSpmUnused;
  if (processor.IsByte(id)) return kRopelmSpmByte;
  return kRopelmSpmNormal;
}

int32_t ropelm_spm_special_id(const RopelmSpmModel* model, int which) {
  const auto& processor = model->processor;
  switch (which) {
    case kRopelmSpmUnk:
      return processor.unk_id();
    case kRopelmSpmBos:
      return processor.bos_id();
    case kRopelmSpmEos:
      return processor.eos_id();
    case kRopelmSpmPad:
      return processor.pad_id();
    default:
      return -1;
  }
}

int ropelm_spm_train(const char* options) {
  sentencepiece::util::Status status = sentencepiece::SentencePieceTrainer::Train(options);
  if (!status.ok()) return fail(status.ToString());
  return 0;
}

}  // extern "C"
