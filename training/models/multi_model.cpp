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
    const torch::Tensor features = m->head->features(hidden, nullptr);  // [B, H]
    logits.push_back(m->head->classifier(features));                   // [B, K]
    if (exit_hidden_observer) exit_hidden_observer(static_cast<int64_t>(i), lte_reads_pooled ? features : hidden);
  }
  return logits;
}

// Member i pays its own embeddings and layers on the instances still undecided: what the
// cascade's cost model counts (L_1 + ... + L_i layers for exiting at i).
void MultiModel::embedSegment(ExitPass& pass) {
  auto m = member(static_cast<size_t>(pass.next_exit));
  pass.hidden = m->backbone->embed(pass.input.input_ids, pass.input.attention_mask, pass.input.token_type_ids);
  pass.context = m->backbone->context(pass.input.attention_mask, pass.hidden);
  if (pass.next_exit + 1 == static_cast<int64_t>(models->size())) pass.input = ModelInput{};  // no member after this one
}

void MultiModel::runSegment(ExitPass& pass) {
  auto m = member(static_cast<size_t>(pass.next_exit));
  const int64_t L = m->backbone->numLayers();
  for (int64_t l = 0; l < L; ++l) pass.hidden = m->backbone->layer(l, pass.hidden, pass.context, l == L - 1);
}

torch::Tensor MultiModel::exitLogits(ExitPass& pass, torch::Tensor* features) {
  auto head = member(static_cast<size_t>(pass.next_exit))->head;
  const torch::Tensor f = head->features(pass.hidden, nullptr);  // [B, H]
  if (features) *features = f;
  auto logits = head->classifier(f);
  ++pass.next_exit;
  pass.hidden = torch::Tensor();  // the next member starts from its own embeddings
  pass.context = EncoderContext{};
  return logits;  // [B, K]
}

torch::Tensor MultiModel::forwardLastExit(const ModelInput& in) {
  ExitPass pass = beginPass(in);
  pass.next_exit = static_cast<int64_t>(models->size()) - 1;
  embedSegment(pass);
  runSegment(pass);
  return exitLogits(pass);
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
