// First-token pooler: see cls_pooler.h.
#include "training/models/cls_pooler.h"

#include <torch/torch.h>

#include <stdexcept>

namespace sweet {

torch::Tensor applyActivation(const std::string& name, const torch::Tensor& x) {
  if (name == "gelu") return torch::gelu(x);  // exact (erf) GELU, as BERT and DeBERTa were trained
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return torch::gelu(x, "tanh");
  if (name == "relu") return torch::relu(x);
  if (name == "tanh") return torch::tanh(x);
  throw std::runtime_error("activation '" + name + "' is not supported");
}

ClsPoolerImpl::ClsPoolerImpl(int64_t hidden_size, std::string act, double p) : activation(std::move(act)) {
  dropout = register_module("dropout", torch::nn::Dropout(p));
  dense = register_module("dense", torch::nn::Linear(hidden_size, hidden_size));
}

ClsPoolerImpl::ClsPoolerImpl(const BertConfig& c)
    : ClsPoolerImpl(c.hidden_size, c.isDeberta() ? c.deberta.pooler_hidden_act : "tanh",
                    c.isDeberta() ? c.deberta.pooler_dropout : 0.0) {}

torch::Tensor ClsPoolerImpl::forward(const torch::Tensor& hidden) {
  using torch::indexing::Slice;
  return applyActivation(activation, dense(dropout(hidden.index({Slice(), 0}))));
}

}  // namespace sweet
