// BERT's MLM head: see bert_mlm_head.h.
#include "training/models/bert_mlm_head.h"

#include <torch/torch.h>

namespace sweet {

BertPredictionHeadTransformImpl::BertPredictionHeadTransformImpl(const BertConfig& c) : activation(c.hidden_act) {
  dense = register_module("dense", torch::nn::Linear(c.hidden_size, c.hidden_size));
  LayerNorm = register_module(
      "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
}

torch::Tensor BertPredictionHeadTransformImpl::forward(const torch::Tensor& hidden) {
  torch::Tensor x = dense(hidden);
  // The activations BertIntermediate knows, with the same names.
  if (activation == "gelu") x = torch::gelu(x);
  else if (activation == "relu") x = torch::relu(x);
  else x = torch::gelu(x, "tanh");
  return LayerNorm(x);
}

BertLmPredictionHeadImpl::BertLmPredictionHeadImpl(const BertConfig& c) {
  transform = register_module("transform", BertPredictionHeadTransform(c));
  bias = register_parameter("bias", torch::zeros({c.vocab_size}));
}

torch::Tensor BertLmPredictionHeadImpl::forward(const torch::Tensor& hidden, const torch::Tensor& decoderWeight) {
  return torch::nn::functional::linear(transform(hidden), decoderWeight, bias);  // [M, V]
}

BertOnlyMlmHeadImpl::BertOnlyMlmHeadImpl(const BertConfig& c) {
  predictions = register_module("predictions", BertLmPredictionHead(c));
}

BertForMaskedLmImpl::BertForMaskedLmImpl(const BertConfig& c) {
  bert = register_module("bert", std::make_shared<BertModelImpl>(c));
  cls = register_module("cls", BertOnlyMlmHead(c));
}

torch::Tensor maskedLmLogits(EncoderBackbone& encoder, BertLmPredictionHeadImpl& head, const torch::Tensor& decoderWeight,
                             const torch::Tensor& inputIds, const torch::Tensor& attentionMask,
                             const torch::Tensor& tokenTypeIds, const torch::Tensor& positions) {
  torch::Tensor hidden = encoder.embed(inputIds, attentionMask, tokenTypeIds);  // [B, T, H]
  const EncoderContext context = encoder.context(attentionMask, hidden);
  for (int64_t i = 0; i < encoder.numLayers(); ++i) hidden = encoder.layer(i, hidden, context);
  const int64_t H = hidden.size(2);
  const torch::Tensor picked = hidden.reshape({-1, H}).index_select(0, positions);  // [M, H]
  return head.forward(picked, decoderWeight);                                        // [M, V]
}

torch::Tensor BertForMaskedLmImpl::forward(const torch::Tensor& inputIds, const torch::Tensor& attentionMask,
                                           const torch::Tensor& tokenTypeIds, const torch::Tensor& positions) {
  return maskedLmLogits(*bert, *cls->predictions, decoderWeight(), inputIds, attentionMask, tokenTypeIds, positions);
}

}  // namespace sweet
