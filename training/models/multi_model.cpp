// Multi-Model cascade: see multi_model.h.
#include "training/models/multi_model.h"

#include <torch/torch.h>

#include <stdexcept>

#include "training/models/bert_model.h"

namespace sweet {

CascadeMemberImpl::CascadeMemberImpl(const BertConfig& truncated, int64_t num_labels) {
  backbone = register_module(backbonePrefix(truncated), makeBackbone(truncated));
  head = register_module("head", ExitHead(truncated, num_labels, /*own_pooler=*/true));
  initBertWeights(*head);
}

MultiModel::MultiModel(const BertConfig& config, std::vector<int64_t> exit_layers, int64_t num_labels)
    : exit_layers_(std::move(exit_layers)) {
  models = register_module("models", torch::nn::ModuleList());
  for (int64_t layers : exit_layers_) {
    BertConfig truncated = config;
    truncated.num_hidden_layers = layers;
    truncated.exit_layers.clear();
    models->push_back(CascadeMember(truncated, num_labels));
  }
}

std::vector<torch::Tensor> MultiModel::forwardExits(const ModelInput& in) {
  std::vector<torch::Tensor> logits;
  for (size_t i = 0; i < models->size(); ++i) {
    auto m = member(i);
    auto hidden = m->backbone->embed(in.input_ids, in.attention_mask, in.token_type_ids);
    const EncoderContext context = m->backbone->context(in.attention_mask, hidden);
    const int64_t L = m->backbone->numLayers();
    for (int64_t l = 0; l < L; ++l) hidden = m->backbone->layer(l, hidden, context, /*first_token_only=*/l == L - 1);
    logits.push_back(m->head->forward(hidden, nullptr));  // [B, K]
    if (exit_hidden_observer) exit_hidden_observer(static_cast<int64_t>(i), hidden);
  }
  return logits;
}

std::vector<std::vector<torch::Tensor>> MultiModel::clipGroups() {
  std::vector<std::vector<torch::Tensor>> groups;
  for (size_t i = 0; i < models->size(); ++i) groups.push_back(member(i)->parameters());
  return groups;
}

torch::Tensor MultiModel::layerMatrix(int64_t exit, int64_t layer, const std::string& matrix) {
  auto m = member(static_cast<size_t>(exit));
  if (layer < 1 || layer > m->backbone->numLayers()) return {};
  auto params = m->backbone->layerModule(layer - 1).named_parameters();
  if (!params.contains(matrix)) throw std::runtime_error("layer has no parameter '" + matrix + "'");
  return params[matrix];
}

}  // namespace sweet
