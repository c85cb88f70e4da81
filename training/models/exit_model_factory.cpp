// EE / SWEET / MM construction, saving and reloading: see exit_model_factory.h.
#include "training/models/exit_model_factory.h"

#include <torch/torch.h>

#include <regex>
#include <stdexcept>

#include "training/models/early_exit_model.h"
#include "training/models/multi_model.h"
#include "training/checkpoints/state_dict.h"

namespace sweet {
namespace {

void copyPooler(ClsPoolerImpl& to, const ClsPoolerImpl& from) {
  torch::NoGradGuard no_grad;
  to.dense->weight.copy_(from.dense->weight);
  to.dense->bias.copy_(from.dense->bias);
}

void noteFreshPooler(const StateDictLoadReport& loaded, const BertCheckpoint& ck, std::vector<std::string>* notes) {
  if (!notes || loaded.left_initialised.empty()) return;
  std::string names;
  for (const std::string& name : loaded.left_initialised) names += (names.empty() ? "" : ", ") + name;
  notes->push_back(ck.weights_file + " has no " + names +
                   ": the pooler starts from N(0, 0.02) weights and zero bias, as Hugging Face initialises a new head");
}

}  // namespace

std::shared_ptr<ExitClassifier> buildExitClassifier(const BertCheckpoint& ck, const std::string& method,
                                                    const std::vector<int64_t>& exitLayers, int64_t numLabels,
                                                    bool sharedPooler, std::vector<std::string>* notes) {
  BertConfig config = ck.config;
  config.exit_layers = exitLayers;
  config.validate(ck.dir + "/config.json");
  if (method == "mm") {
    auto mm = std::make_shared<MultiModel>(config, exitLayers, numLabels);
    const std::regex layerKey(R"((^|\.)encoder\.layer\.(\d+)\.)");
    for (size_t i = 0; i < exitLayers.size(); ++i) {
      // Member i keeps only the checkpoint's first L_i layers.
      std::map<std::string, at::Tensor> subset;
      for (const auto& [key, t] : ck.tensors) {
        std::smatch m;
        if (std::regex_search(key, m, layerKey) && std::stoll(m[2].str()) >= exitLayers[i]) continue;
        subset[key] = t;
      }
      BertCheckpoint truncated = ck;
      truncated.tensors = std::move(subset);
      auto member = mm->member(i);
      // Every member reads the whole rel_embeddings table (DeBERTa), not a truncated one.
      const StateDictLoadReport loaded = loadEncoderWeights(*member->backbone, truncated);
      if (i == 0) noteFreshPooler(loaded, ck, notes);  // once: every member lacks it alike
      copyPooler(*member->head->pooler, member->backbone->clsPooler());
    }
    return mm;
  }
  auto ee = std::make_shared<EarlyExitModel>(config, exitLayers, numLabels, method, sharedPooler);
  noteFreshPooler(loadEncoderWeights(*ee->backbone, ck), ck, notes);
  ee->initExitPoolersFromBackbone();
  return ee;
}

void saveExitClassifier(ExitClassifier& model, const BertConfig& backbone, const std::vector<std::string>& labelNames,
                        bool sharedPooler, const std::string& dir, const std::optional<TokenizerFiles>& tokenizer) {
  BertConfig config = backbone;
  config.exit_layers = model.exitLayers();
  config.exit_method = model.method();
  config.num_labels = static_cast<int64_t>(labelNames.size());
  config.label_names = labelNames;
  config.exit_pooler = sharedPooler ? "shared" : "per_exit";
  config.exit_lte_input = model.lte_reads_pooled ? "pooled" : "";
  saveCheckpointFolder(dir, config, namedState(model), "F32", tokenizer);
}

std::shared_ptr<ExitClassifier> loadExitClassifier(const std::string& dir) {
  BertCheckpoint ck = openBertCheckpoint(dir);
  const BertConfig& c = ck.config;
  if (c.exit_layers.empty() || c.exit_method.empty())
    throw std::runtime_error(dir + "/config.json: no \"sweet\" block: this is a plain BERT checkpoint, not a fine-tuned "
                                   "early-exit model");
  const bool shared = c.exit_pooler == "shared";
  std::shared_ptr<ExitClassifier> model;
  if (c.exit_method == "mm")
    model = std::make_shared<MultiModel>(c, c.exit_layers, c.num_labels);
  else
    model = std::make_shared<EarlyExitModel>(c, c.exit_layers, c.num_labels, c.exit_method, shared);
  loadStateDict(*model, ck.tensors, ck.weights_file);
  model->lte_reads_pooled = c.exit_lte_input == "pooled";
  return model;
}

}  // namespace sweet
