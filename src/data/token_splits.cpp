// Tail split of a token stream into training and validation.
#include "data/token_splits.h"

#include <cmath>
#include <string>

#include "util/error.h"

namespace ropelm {

void validate_val_fraction(double val_fraction) {
  if (!(val_fraction >= 0.0 && val_fraction < 1.0)) {
    throw UserError("data.val_fraction must be in [0, 1) (got " + std::to_string(val_fraction) + ")");
  }
}

TokenSplits split_validation_tail(TokenView tokens, double val_fraction) {
  validate_val_fraction(val_fraction);
  auto val_tokens = static_cast<int64_t>(std::floor(static_cast<double>(tokens.size()) * val_fraction));
  int64_t train_tokens = tokens.size() - val_tokens;
  return {tokens.slice(0, train_tokens), tokens.slice(train_tokens, val_tokens)};
}

}  // namespace ropelm
