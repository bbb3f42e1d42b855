// The C interface of the sentencepiece shim (libropelm_spm.so): plain C types only, because the shim carries
// sentencepiece's protobuf, which must never meet LibTorch's (docs/libtorch-notes.md#two-protobufs).
#pragma once

#include <stddef.h>
#include <stdint.h>

extern "C" {

// Bumped whenever a signature below changes; the loader refuses a shim of another version.
#define ROPELM_SPM_ABI_VERSION 1

typedef struct RopelmSpmModel RopelmSpmModel;
// Receives a result that is valid only during the call.
typedef void (*RopelmSpmIdSink)(void* context, const int32_t* ids, size_t count);
typedef void (*RopelmSpmTextSink)(void* context, const char* text, size_t size);

// Kinds of vocabulary entries (sentencepiece's ModelProto::SentencePiece::Type, as the loader needs them).
enum RopelmSpmPieceKind {
  kRopelmSpmNormal = 0,
  kRopelmSpmUnknown,
  kRopelmSpmControl,
  kRopelmSpmUnused,
  kRopelmSpmByte
};
enum RopelmSpmSpecial { kRopelmSpmUnk = 0, kRopelmSpmBos, kRopelmSpmEos, kRopelmSpmPad };

int ropelm_spm_abi_version(void);
// The message of the last failure on this thread (a null result or a non-zero return).
const char* ropelm_spm_last_error(void);

RopelmSpmModel* ropelm_spm_load(const char* path);
void ropelm_spm_free(RopelmSpmModel* model);
int ropelm_spm_encode(const RopelmSpmModel* model, const char* text, size_t size, RopelmSpmIdSink sink,
                      void* context);
int ropelm_spm_decode(const RopelmSpmModel* model, const int32_t* ids, size_t count, RopelmSpmTextSink sink,
                      void* context);
int32_t ropelm_spm_piece_count(const RopelmSpmModel* model);
// id must be in [0, piece_count).
void ropelm_spm_piece(const RopelmSpmModel* model, int32_t id, RopelmSpmTextSink sink, void* context);
int ropelm_spm_piece_kind(const RopelmSpmModel* model, int32_t id);
// -1 when the model has none.
int32_t ropelm_spm_special_id(const RopelmSpmModel* model, int which);
// Trains a model with sentencepiece's command-line syntax ("--input=... --model_prefix=... ...").
int ropelm_spm_train(const char* options);
}
