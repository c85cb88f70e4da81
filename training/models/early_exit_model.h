// Early-Exit and SWEET models: one backbone (BERT or DeBERTa) with a classifier head after each exit
// layer. EE sums all heads' losses, so layers below exit i also receive gradients from
// heads i+1.. ; SWEET detaches the hidden state handed on at every exit boundary, so each
// weight is updated by exactly one head (its segment's).
//
// Checkpoint keys: bert.* or deberta.* (the backbone, Hugging Face names),
// exits.N.pooler.dense.*, exits.N.classifier.* (no exits.N.pooler with the shared pooler,
// which is the backbone's pooler).
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include "training/models/cls_pooler.h"
#include "training/models/encoder_backbone.h"
#include "training/models/exit_classifier.h"

namespace sweet {

// pooler (the backbone's kind: dense + tanh for BERT, DeBERTa's ContextPooler) -> dropout
// -> linear classifier.
struct ExitHeadImpl : torch::nn::Module {
  // own_pooler = false: the head uses `shared` (the backbone's pooler) instead of its own.
  ExitHeadImpl(const BertConfig& config, int64_t num_labels, bool own_pooler);
  torch::Tensor forward(const torch::Tensor& hidden, ClsPoolerImpl* shared);  // [B,T,H] -> [B,K]
  // The classifier's input: dropout(pooler(hidden)) [B, H]; forward = classifier(features).
  torch::Tensor features(const torch::Tensor& hidden, ClsPoolerImpl* shared);

  ClsPooler pooler{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(ExitHead);

class EarlyExitModel : public ExitClassifier {
 public:
  // method: "ee" or "sweet"; shared_pooler reproduces the reference code (one pooler).
  EarlyExitModel(const BertConfig& config, std::vector<int64_t> exit_layers, int64_t num_labels,
                 const std::string& method, bool shared_pooler);

  std::vector<torch::Tensor> forwardExits(const ModelInput& input) override;
  void embedSegment(ExitPass& pass) override;
  void runSegment(ExitPass& pass) override;
  torch::Tensor exitLogits(ExitPass& pass, torch::Tensor* features = nullptr) override;
  torch::Tensor forwardLastExit(const ModelInput& input) override;
  std::vector<std::vector<torch::Tensor>> clipGroups() override;
  torch::Tensor layerMatrix(int64_t exit, int64_t layer, const std::string& matrix) override;
  const std::vector<int64_t>& exitLayers() const override { return exit_layers_; }
  std::string method() const override { return method_; }

  // Copies the checkpoint's pooler into every exit's own pooler (pretrained start).
  void initExitPoolersFromBackbone();

  std::shared_ptr<EncoderBackbone> backbone;  // registered as "bert" or "deberta"
  torch::nn::ModuleList exits{nullptr};
  // EE only (config sweet_alpha): the gradient the later exits send through each exit
  // boundary into the layers below is multiplied by this; 1 is EE, 0 SWEET's cut, the
  // forward pass unchanged either way.
  double boundary_gradient_scale = 1.0;

 private:
  std::vector<int64_t> exit_layers_;
  std::string method_;
  bool shared_pooler_;
};

}  // namespace sweet
