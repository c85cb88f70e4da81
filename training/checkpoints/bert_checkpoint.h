// A Hugging Face BERT or DeBERTa checkpoint folder as downloaded from the hub: config.json,
// model.safetensors (or a sharded model.safetensors.index.json), the tokenizer's files
// (vocab.txt, vocab.json + merges.txt, or spm.model) and tokenizer_config.json. PyTorch pickles (pytorch_model.bin) are refused: unpickling can
// run arbitrary code, so no pickle is ever loaded here.
#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "training/models/bert_config.h"
#include "training/checkpoints/state_dict.h"
#include "training/tokenizers/tokenizer_files.h"

namespace sweet {

class EncoderBackbone;

struct BertCheckpoint {
  std::string dir;
  BertConfig config;
  std::map<std::string, at::Tensor> tensors;  // as stored (mmapped, file dtype)
  std::string weights_file;                   // for messages
  std::string dtype = "F32";                  // dtype of the floating-point weights in the file
  std::optional<TokenizerFiles> tokenizer;    // absent when the folder has no vocabulary
};

// Reads config.json, weights and tokenizer settings. Throws naming the file at fault.
BertCheckpoint openBertCheckpoint(const std::string& dir);

// A checkpoint that must come with its tokenizer (training, inference, inspection):
// openBertCheckpoint, then the tokenizer built, or requireTokenizerFiles' one error. A folder
// with a manifest (saved by sweet train) is first checked against it (model_manifest.h).
struct CheckpointWithTokenizer {
  BertCheckpoint checkpoint;
  std::unique_ptr<Tokenizer> tokenizer;
};
CheckpointWithTokenizer openCheckpointWithTokenizer(const std::string& dir);

// Loads a checkpoint's encoder weights into `model`: bare keys or keys prefixed "bert." /
// "deberta." both work; task heads (classifier.*, cls.*, lm_predictions.*, ...) and
// position_ids are reported in the result and ignored. Missing, unexpected and mis-shaped
// keys are reported together in one error naming the file. A checkpoint without a pooler
// (every released DeBERTa) gets one initialised N(0, 0.02), listed in left_initialised.
StateDictLoadReport loadEncoderWeights(EncoderBackbone& model, const BertCheckpoint& checkpoint);

// Writes a folder that openBertCheckpoint reads back bit-exactly: config.json and
// model.safetensors with the model's tensors converted to `dtype` ("F32", "F16", "BF16").
// Copies the tokenizer's files when given and writes tokenizer_config.json.
void saveCheckpointFolder(const std::string& dir, const BertConfig& config,
                          const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                          const std::string& dtype = "F32",
                          const std::optional<TokenizerFiles>& tokenizer = std::nullopt);

}  // namespace sweet
