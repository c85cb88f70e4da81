// Demo checkpoint: see demo_checkpoint.h.
#include "demo_checkpoint.h"

#include <torch/torch.h>

#include <filesystem>

#include "bert_checkpoint.h"
#include "bert_model.h"
#include "demo_task.h"
#include "vocab_builder.h"

namespace sweet {

std::string ensureDemoCheckpoint(const std::string& configFile, const std::string& dir, uint64_t seed) {
  namespace fs = std::filesystem;
  if (fs::exists(fs::path(dir) / "model.safetensors") && fs::exists(fs::path(dir) / "vocab.txt")) return dir;
  BertConfig config = loadBertConfig(configFile);
  fs::create_directories(dir);
  const std::string vocab = (fs::path(dir) / "vocab.txt").string();
  writeVocabulary(buildVocabulary(config.vocab_size, demoVocabularyWords()), vocab);
  torch::manual_seed(seed);
  BertModel model(config);
  initBertWeights(*model);
  saveCheckpointFolder(dir, config, namedState(*model), "F32", vocab, true);
  return dir;
}

}  // namespace sweet
