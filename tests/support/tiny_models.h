// Small BERT shapes and demo checkpoints the tests build models and runs from: seconds on
// a CPU, big enough for every code path (several heads, several layers, padding). One
// place, so a change of BertConfig's fields or of the demo checkpoint writer is made once.
#pragma once

#include "training/checkpoints/demo_checkpoint.h"
#include "training/models/bert_config.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace sweet::testing {

struct TinyBertShape {
  int64_t layers = 2, hidden = 8, heads = 2, vocab = 40, maxPositions = 16;
  bool dropout = true;  // false: deterministic forward passes in training mode
};

// A BertConfig of that shape; the feed-forward width is twice the hidden size.
inline BertConfig tinyBertConfig(const TinyBertShape& shape) {
  BertConfig c;
  c.vocab_size = shape.vocab;
  c.hidden_size = shape.hidden;
  c.num_hidden_layers = shape.layers;
  c.num_attention_heads = shape.heads;
  c.intermediate_size = 2 * shape.hidden;
  c.max_position_embeddings = shape.maxPositions;
  if (!shape.dropout) c.hidden_dropout_prob = c.attention_probs_dropout_prob = 0;
  return c;
}

// A random-init demo checkpoint (config.json, model.safetensors, vocab.txt over the demo
// task's words) of that shape in `dir`/`name`, written once; returns the folder.
inline std::string tinyDemoCheckpoint(const std::string& dir, const std::string& name, const TinyBertShape& shape) {
  std::filesystem::create_directories(dir);
  const std::string configFile = (std::filesystem::path(dir) / (name + "-config.json")).string();
  saveBertConfig(tinyBertConfig(shape), configFile);
  return ensureDemoCheckpoint(configFile, (std::filesystem::path(dir) / name).string());
}

}  // namespace sweet::testing
