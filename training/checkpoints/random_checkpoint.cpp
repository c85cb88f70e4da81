// Random-init checkpoints: see random_checkpoint.h.
#include "training/checkpoints/random_checkpoint.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "training/checkpoints/bert_checkpoint.h"
#include "training/models/bert_config.h"
#include "training/models/encoder_backbone.h"
#include "training/runs/train_config.h"
#include "training/tokenizers/tokenizer_files.h"
#include "training/tokenizers/vocab_builder.h"

namespace sweet {

namespace {

BertConfig configWithOverrides(const RandomCheckpointOptions& o) {
  if (o.overrides.empty()) return loadBertConfig(o.config_file);
  std::ifstream in(o.config_file);
  if (!in) throw std::runtime_error(o.config_file + ": cannot open config file");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(o.config_file + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw std::runtime_error(o.config_file + ": not a JSON object");
  for (const std::string& item : o.overrides) applyOverride(j, item);
  return bertConfigFromJson(j, o.config_file + " (with --set)");
}

}  // namespace

int64_t writeRandomCheckpoint(const RandomCheckpointOptions& o) {
  namespace fs = std::filesystem;
  BertConfig config = configWithOverrides(o);
  std::string vocab = o.vocab_file;
  if (o.make_vocab) {
    std::error_code ec;
    fs::create_directories(o.out_dir, ec);
    if (ec) throw std::runtime_error(o.out_dir + ": cannot create folder: " + ec.message());
    vocab = (fs::path(o.out_dir) / "vocab.txt").string();
    writeVocabulary(buildVocabulary(config.vocab_size, o.words), vocab);
  }
  std::optional<TokenizerFiles> tokenizer;
  if (!vocab.empty()) tokenizer = TokenizerFiles::wordPiece(vocab, true);
  if (!o.tokenizer_dir.empty()) {
    tokenizer = requireTokenizerFiles(findTokenizerFiles(o.tokenizer_dir), o.tokenizer_dir);
    // Refuse before writing a model whose embedding table cannot hold the vocabulary.
    const int64_t size = loadTokenizer(*tokenizer)->vocabSize();
    if (size > config.vocab_size)
      throw std::runtime_error(o.config_file + ": vocab_size " + std::to_string(config.vocab_size) + " is smaller than the " +
                               std::to_string(size) + " tokens of " + tokenizer->files.front());
  }
  torch::manual_seed(o.seed);  // before the module exists: the same seed, the same weights
  std::shared_ptr<EncoderBackbone> model = makeBackbone(config);
  initBackboneWeights(*model);
  saveCheckpointFolder(o.out_dir, config, namedState(*model), o.dtype, tokenizer);
  return config.num_hidden_layers;
}

}  // namespace sweet
