// Rows of several passes at the same exit joined into one pass, and a pass cut in two:
// what re-batching (rebatching_inference.h) gathers full batches with. Passes from
// different input batches were padded to different lengths; the shorter ones are padded
// to the longest the way a longer batch would have padded them (masked tokens), so every
// row computes what it would alone, up to the few ulps a different GEMM shape makes (the
// same order of difference a different batch size makes).
#pragma once

#include <cstdint>
#include <vector>

#include "training/models/exit_classifier.h"

namespace sweet {

// One pass holding the rows of `parts` in order (all at the same exit, on one device,
// from the same model). A single part is returned as it is.
ExitPass joinPasses(std::vector<ExitPass> parts);

// Takes the first `rows` rows out of `pass` (0 < rows < its row count) and returns them;
// `pass` keeps the rest.
ExitPass splitFront(ExitPass& pass, int64_t rows);

// Rows in a pass.
int64_t passRows(const ExitPass& pass);

}  // namespace sweet
