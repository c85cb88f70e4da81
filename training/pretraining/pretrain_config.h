// The configuration of one `sweet pretrain` run (masked-language-model pre-training): read
// from JSON with the same rules as sweet train's (unknown keys and wrong types are errors
// naming the key and the file; --set key=value overrides), stored whole in the run file.
// Every key is documented in docs/training.md ("Pre-training").
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sweet {

struct PretrainConfig {
  std::string model;         // BERT or DeBERTa checkpoint folder (Hugging Face layout) to start from
  std::string corpus;        // one text per line, or a TSV with a header when `column` is set
  std::string column;        // TSV column holding the texts; empty = plain lines
  int64_t max_length = 128;  // tokens per text, [CLS] and [SEP] included (longer texts are cut)
  int64_t batch_size = 32;
  int64_t epochs = 1;
  int64_t max_steps = 0;      // > 0: stop after this many optimiser steps
  double learning_rate = 1e-4;
  double warmup_ratio = 0.1;
  double weight_decay = 0.01;
  double max_grad_norm = 1.0;  // <= 0: no clipping
  double mask_probability = 0.15;
  double eval_fraction = 0.05;  // texts held out for the MLM loss and accuracy (before and after training)
  int64_t eval_every = 0;       // > 0: also evaluate the held-out texts every K steps (a row of /eval each)
  // > 0: write a resume checkpoint (weights, head, AdamW moments, generators, position) every
  // K steps, so a killed pre-training loses at most K steps; one is also written when a
  // signal stops the run. Each costs a write of about three times the model's size.
  int64_t checkpoint_every = 0;
  int64_t seed = 42;
  int64_t threads = 0;          // 0 = one per core
  std::string device = "cpu";
  std::string output_dir = "runs";
  std::string run_name;         // empty = pretrain-s<seed>
  bool overwrite = false;

  std::string resolvedRunName() const;
  std::string runFilePath() const;   // <output_dir>/<run name>.h5
  std::string modelDir() const;      // <output_dir>/<run name>/ (the Hugging Face folder)
  std::string lockPath() const;      // <output_dir>/<run name>.lock
  std::string checkpointPath() const;  // <output_dir>/<run name>.resume.pt (training_checkpoint.h)
};

// Throws std::runtime_error naming `source` (or "--set KEY") and the key for unknown keys,
// wrong types and bad values.
PretrainConfig pretrainConfigFromJson(const nlohmann::json& j, const std::string& source,
                                      const std::vector<std::string>& overrides = {});
nlohmann::json pretrainConfigToJson(const PretrainConfig& config);

}  // namespace sweet
