// A read-only view of token ids stored as uint16 or uint32: a token cache's payload, or a slice of it.
#pragma once

#include <cassert>
#include <cstdint>

#include "tokenizer/tokenizer.h"

namespace ropelm {

// Cheap to copy; does not own the memory (the TokenCache that produced it must outlive it).
class TokenView {
 public:
  TokenView() = default;
  // dtype_bytes is 2 (uint16) or 4 (uint32); data must be aligned to dtype_bytes.
  TokenView(const void* data, int dtype_bytes, int64_t size)
      : data_(data), dtype_bytes_(dtype_bytes), size_(size) {
    assert(dtype_bytes == 2 || dtype_bytes == 4);
  }

  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int dtype_bytes() const { return dtype_bytes_; }

  TokenId operator[](int64_t i) const {
    assert(i >= 0 && i < size_);
    if (dtype_bytes_ == 2) return static_cast<const uint16_t*>(data_)[i];
    return static_cast<TokenId>(static_cast<const uint32_t*>(data_)[i]);
  }

  TokenView slice(int64_t begin, int64_t count) const {
    assert(begin >= 0 && count >= 0 && begin + count <= size_);
    return {static_cast<const char*>(data_) + begin * dtype_bytes_, dtype_bytes_, count};
  }

  // Widens tokens [begin, begin + count) into out (the int64 layout torch's embedding indices use).
  void copy_to(int64_t begin, int64_t count, int64_t* out) const {
    assert(begin >= 0 && count >= 0 && begin + count <= size_);
    if (dtype_bytes_ == 2) {
      const auto* in = static_cast<const uint16_t*>(data_) + begin;
      for (int64_t i = 0; i < count; ++i) out[i] = in[i];
    } else {
      const auto* in = static_cast<const uint32_t*>(data_) + begin;
      for (int64_t i = 0; i < count; ++i) out[i] = in[i];
    }
  }

 private:
  const void* data_ = nullptr;
  int dtype_bytes_ = 2;
  int64_t size_ = 0;
};

}  // namespace ropelm
