// A fine-tuned early-exit model (`sweet train`'s <run>.model folder) opened for real
// inference, with what lies beside it: its tokenizer, its run file (<run>.h5, when found),
// the temperatures the run's replay scales confidences with, and the run's dev set
// re-encoded in the run file's order. Shared by `sweet infer`, the speed measurement and
// the tests, so all three run the same model the same way.
#pragma once

#include <c10/core/Device.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/run_data.h"
#include "training/inference/adaptive_inference.h"
#include "training/models/bert_config.h"
#include "training/runs/precision.h"
#include "training/tokenizers/tokenizer.h"

namespace sweet {

struct InferenceSession {
  std::string model_dir;
  std::string run_file;                   // empty when no run file was found or given
  std::optional<analysis::RunData> run;   // loaded run_file
  BertConfig config;                      // the saved model's config.json (with its "sweet" block)
  std::shared_ptr<ExitClassifier> model;  // on `device`, eval mode
  LteHeads lte{nullptr};                  // the folder's lte.safetensors (trained with LTE), else null
  std::unique_ptr<Tokenizer> tokenizer;
  c10::Device device{c10::kCPU};
  Precision precision = Precision::Fp32;  // resolved for `device`: the forward passes run in it
  int64_t max_length = 0;                 // the run's max_length, else max_position_embeddings
  // LTE heads under lte.threshold_rule "minmax" (the default): each exit's range over the
  // run's eval scores, which --rule learned normalises by; absent for "raw" or no run file.
  std::optional<analysis::LteScoreRange> lte_range;
  bool lte_minmax = true;  // the run's rule ("minmax" where no run file says otherwise)

  const std::vector<std::string>& labelNames() const { return config.label_names; }
  int64_t exits() const { return static_cast<int64_t>(config.exit_layers.size()); }
};

// Opens `model_dir` (throws naming the folder when it is missing or is not a fine-tuned
// early-exit model). `run_file`: the run it came from; empty = <model_dir minus ".model">.h5
// when that file exists (the trainer's layout), else none, which `say` is told about.
// `precision`: a precision name (precision.h) for the forward passes, resolved for the
// device; empty = the precision the run trained in (fp32 without a run file, or for a run
// file from before precisions were recorded). Throws naming --precision for a bad one.
InferenceSession openInferenceSession(const std::string& model_dir, const std::string& run_file,
                                      const std::string& device, int threads,
                                      const std::function<void(const std::string&)>& say,
                                      const std::string& precision = "");

enum class TemperatureUse {
  None,        // raw softmax confidences
  DevSet,      // exactly the replay's: held-out temperatures, or cross-fitted per instance
  NewText,     // text outside the dev set: held-out temperatures, or fitted on the whole dev set
};

// The temperatures for `use`; `description` (optional) receives one line saying which.
// Without a run file there is nothing to calibrate with: None is returned and said.
ExitTemperatures sessionTemperatures(const InferenceSession& session, TemperatureUse use, std::string* description);

struct EncodedSet {
  std::vector<Encoding> encodings;
  std::vector<int64_t> labels;  // -1 where unknown (text given on the command line)
};

// The run's dev set as the trainer encoded it, in /eval order; throws when the session has
// no run file, or when the data no longer match the run file's /eval/labels (the file was
// edited or moved since training).
EncodedSet encodeDevSet(const InferenceSession& session, const std::function<void(const std::string&)>& say);

// Sentences (and optional second sentences: empty or the same length) encoded for the model.
EncodedSet encodeTexts(const InferenceSession& session, const std::vector<std::string>& text_a,
                       const std::vector<std::string>& text_b);

// Rows [begin, end) of `set` padded into one batch on the session's device.
ModelInput makeBatch(const InferenceSession& session, const EncodedSet& set, size_t begin, size_t end);

}  // namespace sweet
