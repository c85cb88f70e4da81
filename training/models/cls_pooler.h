// The pooler every backbone puts in front of a classifier: the first token's hidden state
// -> dropout -> dense -> activation. BERT's pooler is this with tanh and no dropout;
// DeBERTa's ContextPooler with pooler_hidden_act and pooler_dropout. Checkpoint keys:
// dense.weight, dense.bias (the dropout has no state).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <string>

#include "training/models/bert_config.h"

namespace sweet {

// Hugging Face activations by their config.json names: gelu (erf), gelu_new and
// gelu_pytorch_tanh (tanh approximation), relu, tanh.
torch::Tensor applyActivation(const std::string& name, const torch::Tensor& x);

struct ClsPoolerImpl : torch::nn::Module {
  ClsPoolerImpl(int64_t hidden_size, std::string activation, double dropout);
  explicit ClsPoolerImpl(const BertConfig& config);  // the backbone's own kind of pooler
  torch::Tensor forward(const torch::Tensor& hidden);  // [B, T, H] -> [B, H]

  std::string activation;
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(ClsPooler);

}  // namespace sweet
