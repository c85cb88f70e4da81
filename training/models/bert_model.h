// BERT encoder in libtorch. The module tree mirrors Hugging Face's modeling_bert.py, so
// every parameter's name equals its key in a BertModel checkpoint
// (embeddings.word_embeddings.weight, encoder.layer.0.attention.self.query.weight, ...,
// pooler.dense.weight) and loading a checkpoint is a lookup by name.
//
// Shapes: B = batch, T = sequence length, H = hidden size, A = attention heads,
// D = H / A (head size), F = intermediate (feed-forward) size.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <vector>

#include "training/models/bert_config.h"
#include "training/models/cls_pooler.h"
#include "training/models/encoder_backbone.h"

namespace sweet {

struct BertEmbeddingsImpl : torch::nn::Module {
  explicit BertEmbeddingsImpl(const BertConfig& config);
  // input_ids, token_type_ids: [B, T] int64 -> [B, T, H]
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids);

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr},
      token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertEmbeddings);

struct BertSelfAttentionImpl : torch::nn::Module {
  explicit BertSelfAttentionImpl(const BertConfig& config);
  // hidden: [B, T, H], mask_bias: [B, 1, 1, T] additive (0 keep, very negative drop) -> [B, T, H].
  // first_token_only: only position 0 ([CLS]) queries, -> [B, 1, H] (see BertLayerImpl).
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& mask_bias, bool first_token_only = false);

  int64_t num_heads, head_dim;
  // at::scaled_dot_product_attention instead of the explicit ops (see attention_kernel.h;
  // set by useAttentionKernel, only where the libtorch has it).
  bool fused = false;
  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
  torch::nn::Dropout dropout{nullptr};

 private:
  // q: [B, Tq, H], k and v: [B, T, H] -> context [B, Tq, H]
  torch::Tensor explicitAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                  const torch::Tensor& mask_bias);
  torch::Tensor fusedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& mask_bias);
};
TORCH_MODULE(BertSelfAttention);

// dense -> dropout -> residual add -> LayerNorm; shared shape by BertSelfOutput/BertOutput.
struct BertResidualOutputImpl : torch::nn::Module {
  BertResidualOutputImpl(int64_t in_features, const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual);

  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertResidualOutput);

struct BertAttentionImpl : torch::nn::Module {
  explicit BertAttentionImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& mask_bias, bool first_token_only = false);

  BertSelfAttention self{nullptr};
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertAttention);

struct BertIntermediateImpl : torch::nn::Module {
  explicit BertIntermediateImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden);  // [B, T, H] -> [B, T, F]

  std::string activation;
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(BertIntermediate);

struct BertLayerImpl : torch::nn::Module {
  explicit BertLayerImpl(const BertConfig& config);
  // first_token_only computes the layer's output for [CLS] alone ([B, 1, H]): exact for the
  // last layer before a classifier, which reads nothing else, and it skips (T-1)/T of
  // that layer's attention output and feed-forward work in both passes.
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& mask_bias, bool first_token_only = false);

  BertAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertResidualOutput output{nullptr};  // checkpoint keys: encoder.layer.N.output.dense.weight
};
TORCH_MODULE(BertLayer);

struct BertEncoderImpl : torch::nn::Module {
  explicit BertEncoderImpl(const BertConfig& config);
  torch::nn::ModuleList layer{nullptr};
  BertLayer at(int64_t i) const { return layer->ptr<BertLayerImpl>(static_cast<size_t>(i)); }
};
TORCH_MODULE(BertEncoder);

using BertModelOutput = EncoderOutput;

struct BertModelImpl : EncoderBackbone {
  explicit BertModelImpl(const BertConfig& config);

  // Whole encoder; attention_mask [B, T] (1 = token, 0 = padding).
  BertModelOutput forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                          const torch::Tensor& token_type_ids);

  // Pieces for models that run the layers themselves (early exits, SWEET, cascades).
  static torch::Tensor maskBias(const torch::Tensor& attention_mask, torch::ScalarType dtype);

  torch::Tensor embed(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                      const torch::Tensor& token_type_ids) override;
  EncoderContext context(const torch::Tensor& attention_mask, const torch::Tensor& embedded) override;
  torch::Tensor layer(int64_t i, const torch::Tensor& hidden, const EncoderContext& context,
                      bool first_token_only = false) override;
  ClsPoolerImpl& clsPooler() override { return *pooler; }
  torch::nn::Module& layerModule(int64_t i) override { return *encoder->at(i); }
  const BertConfig& backboneConfig() const override { return config; }

  BertConfig config;
  BertEmbeddings embeddings{nullptr};
  BertEncoder encoder{nullptr};
  ClsPooler pooler{nullptr};  // dense + tanh on [CLS]
};
TORCH_MODULE(BertModel);

// Hugging Face's initialisation: normal(0, 0.02) weights, zero biases, LayerNorm (1, 0).
void initBertWeights(torch::nn::Module& module, double stddev = 0.02);

}  // namespace sweet
