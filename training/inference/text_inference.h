// `sweet infer` on text: sentences (or pairs) from the command line or a TSV column run
// through a fine-tuned model with early exiting, one prediction, exit and confidence per
// instance, optionally written to CSV or JSONL.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "training/inference/adaptive_inference.h"

namespace sweet {

struct TextInferenceRequest {
  std::string model_dir, run_file;        // run_file empty: <run>.h5 beside <run>.model
  double threshold = 0;
  // Exit on the model's learning-to-exit scores (its lte.safetensors) instead of the
  // softmax confidence; the threshold is then an LTE score.
  bool learned = false;
  std::string text, text_b;               // one sentence (pair)...
  std::string tsv, column, column_b;      // ...or a TSV with a header row
  int64_t batch_size = 32;
  // Gather the rows continuing past each exit into full batches (rebatching_inference.h);
  // the predictions are the same, returned in input order.
  bool rebatch = false;
  // One-row batches replay CUDA graphs of each exit's segment (cuda_graph_segments.h):
  // CUDA only, and the same predictions.
  bool cuda_graphs = false;
  bool calibrate = true;
  std::string device = "cpu";
  std::string precision;                  // empty = the run's (inference_session.h)
  int threads = 0;
};

struct Prediction {
  int64_t row = 0;           // 0-based input row (TSV data row)
  std::string label;         // predicted label name
  int32_t exit = 0;          // 0-based exit taken
  int64_t exit_layer = 0;    // the layer it sits after (MM: the member's depth)
  double confidence = 0;
  double lte_score = -1;     // the exit's LTE score (learned exiting), else -1
};

struct TextInferenceResult {
  std::vector<Prediction> predictions;
  std::string temperature_note;  // which temperatures the confidences used
  std::string method;
  std::vector<int64_t> exit_layers;
  bool learned = false;          // exits were decided on LTE scores
};

// Throws std::runtime_error naming the file at fault (model folder, TSV, column) and for a
// threshold outside (0, 1].
TextInferenceResult inferText(const TextInferenceRequest& request,
                              const std::function<void(const std::string&)>& say);

// Writes the predictions as CSV (row,prediction,exit,exit_layer,confidence; exit 1-based;
// learned exiting adds lte_score) or JSONL (one object per row, the same keys), by the
// extension of `path`.
void writePredictions(const std::string& path, const TextInferenceResult& result);

}  // namespace sweet
