// Randomly initialised BERT or DeBERTa checkpoints in Hugging Face layout: for tests, the demo, and
// researchers who want a scratch model of a given shape. Torch-free header.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sweet {

struct RandomCheckpointOptions {
  std::string config_file;  // a BERT or DeBERTa config.json
  // "key=value" (value as JSON, else a string) replacing config.json's fields, e.g. to
  // shrink a real model's config: num_hidden_layers=2 hidden_size=64
  std::vector<std::string> overrides;
  std::string out_dir;
  uint64_t seed = 0;
  std::string dtype = "F32";       // F32, F16 or BF16
  std::string vocab_file;          // copied into the folder when set
  std::string tokenizer_dir;       // a folder whose tokenizer files (any kind) are copied
  bool make_vocab = false;         // generate a vocabulary of exactly vocab_size entries
  std::vector<std::string> words;  // whole words to put in a generated vocabulary
};

// Writes config.json, model.safetensors (Hugging Face initialisation: normal(0, 0.02)
// weights, zero biases, unit LayerNorm), tokenizer_config.json and the vocabulary when asked.
// Returns the number of layers written. Throws naming the file at fault.
int64_t writeRandomCheckpoint(const RandomCheckpointOptions& options);

}  // namespace sweet
