// Early-Exit / SWEET model: see early_exit_model.h.
#include "training/models/early_exit_model.h"

#include <torch/torch.h>

#include <stdexcept>

#include "training/models/bert_model.h"
#include "training/models/gradient_scale.h"

namespace sweet {

ExitHeadImpl::ExitHeadImpl(const BertConfig& c, int64_t num_labels, bool own_pooler) {
  if (own_pooler) pooler = register_module("pooler", ClsPooler(c));
  dropout = register_module("dropout", torch::nn::Dropout(c.hidden_dropout_prob));
  classifier = register_module("classifier", torch::nn::Linear(c.hidden_size, num_labels));
}

torch::Tensor ExitHeadImpl::features(const torch::Tensor& hidden, ClsPoolerImpl* shared) {
  auto pooled = pooler ? pooler(hidden) : shared->forward(hidden);  // [B, H]
  return dropout(pooled);                                           // [B, H]
}

torch::Tensor ExitHeadImpl::forward(const torch::Tensor& hidden, ClsPoolerImpl* shared) {
  return classifier(features(hidden, shared));  // [B, K]
}

EarlyExitModel::EarlyExitModel(const BertConfig& config, std::vector<int64_t> exit_layers, int64_t num_labels,
                               const std::string& method, bool shared_pooler)
    : exit_layers_(std::move(exit_layers)), method_(method), shared_pooler_(shared_pooler) {
  // pcgrad is EE's model and routing; only its training step differs (gradient_surgery.h).
  if (method_ != "ee" && method_ != "sweet" && method_ != "pcgrad")
    throw std::runtime_error("EarlyExitModel: method must be ee, sweet or pcgrad");
  backbone = register_module(backbonePrefix(config), makeBackbone(config));
  exits = register_module("exits", torch::nn::ModuleList());
  for (size_t i = 0; i < exit_layers_.size(); ++i) {
    ExitHead head(config, num_labels, !shared_pooler_);
    initBertWeights(*head);
    exits->push_back(head);
  }
}

void EarlyExitModel::initExitPoolersFromBackbone() {
  if (shared_pooler_) return;
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < exits->size(); ++i) {
    auto head = exits->ptr<ExitHeadImpl>(i);
    head->pooler->dense->weight.copy_(backbone->clsPooler().dense->weight);
    head->pooler->dense->bias.copy_(backbone->clsPooler().dense->bias);
  }
}

std::vector<torch::Tensor> EarlyExitModel::forwardExits(const ModelInput& in) {
  const bool sweet = method_ == "sweet";
  auto hidden = backbone->embed(in.input_ids, in.attention_mask, in.token_type_ids);  // [B, T, H]
  const EncoderContext context = backbone->context(in.attention_mask, hidden);
  std::vector<torch::Tensor> logits;
  size_t next = 0;
  const int64_t last = exit_layers_.back();
  for (int64_t l = 1; l <= last; ++l) {
    hidden = backbone->layer(l - 1, hidden, context, /*first_token_only=*/l == last);
    if (l == exit_layers_[next]) {
      auto head = exits->ptr<ExitHeadImpl>(next);
      const torch::Tensor features = head->features(hidden, &backbone->clsPooler());  // [B, H]
      logits.push_back(head->classifier(features));                                    // [B, K]
      if (exit_hidden_observer) exit_hidden_observer(static_cast<int64_t>(next), lte_reads_pooled ? features : hidden);
      ++next;
      // SWEET: the next segment sees this hidden state as a constant, so the heads after
      // this exit send no gradient into the layers before it; a partial cut scales it.
      if (sweet) hidden = hidden.detach();
      else if (boundary_gradient_scale != 1.0) hidden = scaleGradient(hidden, boundary_gradient_scale);
    }
  }
  return logits;
}

// The staged pass runs exactly forwardExits' operations (same layers, same
// first_token_only on the last one), so a batch that nobody leaves gets the same logits.
void EarlyExitModel::embedSegment(ExitPass& pass) {
  if (pass.next_exit != 0) return;  // one backbone: later segments continue from the last hidden state
  pass.hidden = backbone->embed(pass.input.input_ids, pass.input.attention_mask, pass.input.token_type_ids);  // [B, T, H]
  pass.context = backbone->context(pass.input.attention_mask, pass.hidden);
  pass.input = ModelInput{};  // not needed again: dropping it saves compacting three tensors per exit
}

void EarlyExitModel::runSegment(ExitPass& pass) {
  const auto e = static_cast<size_t>(pass.next_exit);
  const int64_t from = e == 0 ? 1 : exit_layers_.at(e - 1) + 1, to = exit_layers_.at(e), last = exit_layers_.back();
  for (int64_t l = from; l <= to; ++l) pass.hidden = backbone->layer(l - 1, pass.hidden, pass.context, l == last);
}

torch::Tensor EarlyExitModel::exitLogits(ExitPass& pass, torch::Tensor* features) {
  auto head = exits->ptr<ExitHeadImpl>(static_cast<size_t>(pass.next_exit));
  const torch::Tensor f = head->features(pass.hidden, &backbone->clsPooler());  // [B, H]
  if (features) *features = f;
  ++pass.next_exit;
  return head->classifier(f);  // [B, K]
}

torch::Tensor EarlyExitModel::forwardLastExit(const ModelInput& in) {
  auto hidden = backbone->embed(in.input_ids, in.attention_mask, in.token_type_ids);
  const EncoderContext context = backbone->context(in.attention_mask, hidden);
  const int64_t last = exit_layers_.back();
  for (int64_t l = 1; l <= last; ++l) hidden = backbone->layer(l - 1, hidden, context, l == last);
  return exits->ptr<ExitHeadImpl>(exit_layers_.size() - 1)->forward(hidden, &backbone->clsPooler());  // [B, K]
}

std::vector<std::vector<torch::Tensor>> EarlyExitModel::clipGroups() { return {parameters()}; }

torch::Tensor EarlyExitModel::layerMatrix(int64_t exit, int64_t layer, const std::string& matrix) {
  if (layer < 1 || layer > backbone->numLayers()) throw std::runtime_error("layer " + std::to_string(layer) + " out of range");
  if (layer > exit_layers_.at(static_cast<size_t>(exit))) return {};
  auto params = backbone->layerModule(layer - 1).named_parameters();
  if (!params.contains(matrix)) throw std::runtime_error("layer has no parameter '" + matrix + "'");
  return params[matrix];
}

}  // namespace sweet
