// DeBERTa encoder in libtorch, v1 (model_type "deberta", He et al. 2021) and v2/v3
// ("deberta-v2"). The module tree mirrors Hugging Face's modeling_deberta.py and
// modeling_deberta_v2.py, so every parameter's name equals its checkpoint key after the
// "deberta." prefix: embeddings.word_embeddings.weight, encoder.layer.N.attention.self.
// in_proj.weight (v1) or .query_proj.weight (v2), encoder.rel_embeddings.weight, ...
//
// Disentangled attention: score(i, j) = (q_i.k_j + q_i.Kr[d(i,j)] + k_j.Qr[d(i,j)]) /
// sqrt(D * (1 + |pos_att_type|)), the content->position (c2p) and position->content (p2c)
// terms reading the relative-position embedding row d(i,j) = clamp(i - j + span, 0,
// 2 span - 1). p2c uses the same i - j as c2p: that is what the released code computes
// (the paper's eq. 4 writes delta(j, i)), and the released checkpoints were trained with it.
//
// Shapes: B = batch, T = tokens, H = hidden size, A = heads, D = H / A, S = 2 * span.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "training/models/bert_model.h"
#include "training/models/encoder_backbone.h"

namespace sweet {

struct DebertaEmbeddingsImpl : torch::nn::Module {
  explicit DebertaEmbeddingsImpl(const BertConfig& config);
  // Word (+ absolute position when position_biased_input) (+ token type) -> [embed_proj]
  // -> LayerNorm -> zero at padding -> dropout: [B, T] -> [B, T, H]
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids,
                        const torch::Tensor& attention_mask);

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::Linear embed_proj{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(DebertaEmbeddings);

struct DisentangledSelfAttentionImpl : torch::nn::Module {
  explicit DisentangledSelfAttentionImpl(const BertConfig& config);
  // [B, T, H] -> [B, T, H], or [B, 1, H] for the first token alone.
  torch::Tensor forward(const torch::Tensor& hidden, const EncoderContext& context, bool first_token_only);

  bool v2, share_att_key, c2p, p2c;
  int64_t num_heads, head_dim, scale_factor;
  // at::scaled_dot_product_attention with the relative-position scores and the padding as
  // its float mask (see attention_kernel.h; set by useAttentionKernel where the libtorch
  // takes a `scale`).
  bool fused = false;
  // v1: one fused projection, laid out per head as [q_h; k_h; v_h] (3D rows each), no bias;
  // q_bias and v_bias added after it; pos_proj (c2p, no bias), pos_q_proj (p2c, bias).
  torch::nn::Linear in_proj{nullptr}, pos_proj{nullptr}, pos_q_proj{nullptr};
  torch::Tensor q_bias, v_bias;
  // v2: separate projections with bias; pos_key_proj / pos_query_proj unless share_att_key.
  torch::nn::Linear query_proj{nullptr}, key_proj{nullptr}, value_proj{nullptr}, pos_key_proj{nullptr},
      pos_query_proj{nullptr};
  torch::nn::Dropout dropout{nullptr}, pos_dropout{nullptr};

 private:
  // `scores` plus the content-to-position and position-to-content terms ([B, A, Tq, T]);
  // with `scores` undefined, the relative terms alone (undefined when there are none).
  torch::Tensor addRelativeScores(torch::Tensor scores, const torch::Tensor& q, const torch::Tensor& k,
                                  const EncoderContext& context);
  // q: [B, A, Tq, D], k and v: [B, A, T, D] -> context [B, A, Tq, D]
  torch::Tensor explicitAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                  const EncoderContext& context);
  torch::Tensor fusedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const EncoderContext& context);
};
TORCH_MODULE(DisentangledSelfAttention);

struct DebertaAttentionImpl : torch::nn::Module {
  explicit DebertaAttentionImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden, const EncoderContext& context, bool first_token_only);

  DisentangledSelfAttention self{nullptr};
  BertResidualOutput output{nullptr};  // dense -> dropout -> residual -> LayerNorm, as BERT
};
TORCH_MODULE(DebertaAttention);

struct DebertaLayerImpl : torch::nn::Module {
  explicit DebertaLayerImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden, const EncoderContext& context, bool first_token_only);

  DebertaAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(DebertaLayer);

// DeBERTa-v2's convolution beside the first layer: LayerNorm(layer-0 output +
// act(conv(embeddings))), zero at padding.
struct DebertaConvLayerImpl : torch::nn::Module {
  explicit DebertaConvLayerImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& embeddings, const torch::Tensor& residual, const torch::Tensor& token_keep);

  std::string activation;
  torch::nn::Conv1d conv{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(DebertaConvLayer);

struct DebertaEncoderImpl : torch::nn::Module {
  explicit DebertaEncoderImpl(const BertConfig& config);
  DebertaLayer at(int64_t i) const { return layer->ptr<DebertaLayerImpl>(static_cast<size_t>(i)); }

  torch::nn::ModuleList layer{nullptr};
  torch::nn::Embedding rel_embeddings{nullptr};  // [relEmbeddingRows, H] when relative_attention
  torch::nn::LayerNorm LayerNorm{nullptr};       // v2 with norm_rel_ebd "layer_norm"
  DebertaConvLayer conv{nullptr};                // v2 with conv_kernel_size > 0
};
TORCH_MODULE(DebertaEncoder);

// Relative position of query i to key j for a T-token sequence, as the released code
// builds it: i - j for v1, log-bucketed for v2 with position_buckets > 0. [T, T] int64.
torch::Tensor debertaRelativePositions(const BertConfig& config, int64_t T);

struct DebertaModelImpl : EncoderBackbone {
  explicit DebertaModelImpl(const BertConfig& config);

  torch::Tensor embed(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                      const torch::Tensor& token_type_ids) override;
  EncoderContext context(const torch::Tensor& attention_mask, const torch::Tensor& embedded) override;
  torch::Tensor layer(int64_t i, const torch::Tensor& hidden, const EncoderContext& context,
                      bool first_token_only = false) override;
  ClsPoolerImpl& clsPooler() override { return *pooler; }
  torch::nn::Module& layerModule(int64_t i) override { return *encoder->at(i); }
  const BertConfig& backboneConfig() const override { return config; }

  BertConfig config;
  DebertaEmbeddings embeddings{nullptr};
  DebertaEncoder encoder{nullptr};
  // Hugging Face keeps the ContextPooler outside DebertaModel (DebertaForSequenceClassification
  // .pooler); its keys "pooler.dense.*" carry no "deberta." prefix, so they land here as well.
  ClsPooler pooler{nullptr};
};
TORCH_MODULE(DebertaModel);

}  // namespace sweet
