// Runs a checkpoint's encoder (eval mode) on a sentence, a pair, or a TSV column and
// writes input ids, masks, every layer's hidden states and the pooled output to HDF5
// (layout: docs/cli.md), so the loader can be checked against any other BERT or DeBERTa.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace sweet {

struct EncoderInspection {
  std::string model, text, text_b, tsv, column, column_b, out, device = "cpu";
  int64_t max_length = 128, limit = 0, batch_size = 16;
  int threads = 0;
};

struct InspectionSummary {
  int64_t sequences = 0, tokens = 0, states = 0, hidden = 0;
};

// Throws std::runtime_error naming the file at fault (checkpoint, TSV row, output file).
InspectionSummary inspectEncoder(const EncoderInspection& request,
                                 const std::function<void(const std::string&)>& say = [](const std::string&) {});

}  // namespace sweet
