// Multi-Model cascade (MM): independent models made of the first L_i layers of the
// checkpoint, each with its own pooler and classifier, trained side by side on the same
// batches. At inference instance-level exiting runs them in sequence, so exiting at model
// i costs L_1 + ... + L_i layers (the analysis' cost model counts that).
//
// Checkpoint keys: models.N.bert.* (or models.N.deberta.*) and
// models.N.head.{pooler.dense,classifier}.*
#pragma once

#include <torch/nn/modules/container/modulelist.h>

#include "training/models/early_exit_model.h"

namespace sweet {

struct CascadeMemberImpl : torch::nn::Module {
  CascadeMemberImpl(const BertConfig& truncated, int64_t num_labels);
  std::shared_ptr<EncoderBackbone> backbone;  // registered as "bert" or "deberta"
  ExitHead head{nullptr};
};
TORCH_MODULE(CascadeMember);

class MultiModel : public ExitClassifier {
 public:
  MultiModel(const BertConfig& config, std::vector<int64_t> exit_layers, int64_t num_labels);

  std::vector<torch::Tensor> forwardExits(const ModelInput& input) override;
  void embedSegment(ExitPass& pass) override;
  void runSegment(ExitPass& pass) override;
  torch::Tensor exitLogits(ExitPass& pass, torch::Tensor* features = nullptr) override;
  torch::Tensor forwardLastExit(const ModelInput& input) override;
  std::vector<std::vector<torch::Tensor>> clipGroups() override;
  torch::Tensor layerMatrix(int64_t exit, int64_t layer, const std::string& matrix) override;
  const std::vector<int64_t>& exitLayers() const override { return exit_layers_; }
  std::string method() const override { return "mm"; }

  CascadeMember member(size_t i) const { return models->ptr<CascadeMemberImpl>(i); }
  torch::nn::ModuleList models{nullptr};

 private:
  std::vector<int64_t> exit_layers_;
};

}  // namespace sweet
