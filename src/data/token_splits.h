// Train/validation split of one token stream at a token boundary.
#pragma once

#include "data/token_view.h"

namespace ropelm {

struct TokenSplits {
  TokenView train;
  TokenView val;  // empty: no validation
};

// The last floor(N · val_fraction) tokens are the validation split, the rest the training split. Windows are
// cut within each split, so no window crosses the boundary. Throws UserError unless 0 ≤ val_fraction < 1.
TokenSplits split_validation_tail(TokenView tokens, double val_fraction);

// Throws UserError naming data.val_fraction unless 0 ≤ val_fraction < 1.
void validate_val_fraction(double val_fraction);

}  // namespace ropelm
