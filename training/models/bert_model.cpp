// BERT encoder: see bert_model.h.
#include "training/models/bert_model.h"

#include <torch/torch.h>

#include "training/models/attention_kernel.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace sweet {
namespace nn = torch::nn;

BertEmbeddingsImpl::BertEmbeddingsImpl(const BertConfig& c) {
  word_embeddings = register_module("word_embeddings", nn::Embedding(c.vocab_size, c.hidden_size));
  position_embeddings = register_module(
      "position_embeddings", nn::Embedding(c.max_position_embeddings, c.hidden_size));
  if (c.type_vocab_size > 0)
    token_type_embeddings = register_module("token_type_embeddings",
                                            nn::Embedding(c.type_vocab_size, c.hidden_size));
  LayerNorm = register_module(
      "LayerNorm", nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
}

torch::Tensor BertEmbeddingsImpl::forward(const torch::Tensor& input_ids,
                                          const torch::Tensor& token_type_ids) {
  const int64_t T = input_ids.size(1);
  TORCH_CHECK(T <= position_embeddings->weight.size(0), "sequence of ", T,
              " tokens is longer than max_position_embeddings ",
              position_embeddings->weight.size(0));
  auto positions = torch::arange(T, input_ids.options());  // [T], broadcast over the batch
  auto x = word_embeddings(input_ids) + position_embeddings(positions).unsqueeze(0);
  if (token_type_embeddings) x = x + token_type_embeddings(token_type_ids);
  return dropout(LayerNorm(x));  // [B, T, H]
}

BertSelfAttentionImpl::BertSelfAttentionImpl(const BertConfig& c)
    : num_heads(c.num_attention_heads), head_dim(c.headDim()) {
  query = register_module("query", nn::Linear(c.hidden_size, c.hidden_size));
  key = register_module("key", nn::Linear(c.hidden_size, c.hidden_size));
  value = register_module("value", nn::Linear(c.hidden_size, c.hidden_size));
  dropout = register_module("dropout", nn::Dropout(c.attention_probs_dropout_prob));
}

torch::Tensor BertSelfAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& mask_bias,
                                             bool first_token_only) {
  using torch::indexing::Slice;
  torch::Tensor q, k, v;  // [B, Tq, H], [B, T, H], [B, T, H]
  if (first_token_only) {
    q = query(hidden.index({Slice(), Slice(0, 1)}));
    k = key(hidden);
    v = value(hidden);
  } else {
    // One GEMM for query, key and value: [B, T, H] x [H, 3H]. The weights stay separate
    // parameters (the checkpoint's names); concatenating them costs 3H^2 copies per call.
    auto qkv = torch::linear(hidden, torch::cat({query->weight, key->weight, value->weight}),
                             torch::cat({query->bias, key->bias, value->bias}));  // [B, T, 3H]
    auto parts = qkv.split(num_heads * head_dim, -1);
    q = parts[0];
    k = parts[1];
    v = parts[2];
  }
  return fused ? fusedAttention(q, k, v, mask_bias) : explicitAttention(q, k, v, mask_bias);
}

torch::Tensor BertSelfAttentionImpl::explicitAttention(const torch::Tensor& q_, const torch::Tensor& k_,
                                                       const torch::Tensor& v_, const torch::Tensor& mask_bias) {
  const int64_t B = q_.size(0), Tq = q_.size(1), T = k_.size(1), H = num_heads * head_dim;
  auto heads = [&](const torch::Tensor& x, int64_t len) {  // [B, len, H] -> [B*A, len, D]
    return x.reshape({B, len, num_heads, head_dim}).transpose(1, 2).reshape({B * num_heads, len, head_dim});
  };
  auto q = heads(q_, Tq), k = heads(k_, T), v = heads(v_, T);
  // scores = mask_bias + q k^T / sqrt(D) in one fused call: [B*A, Tq, T]
  auto bias = mask_bias.expand({B, num_heads, 1, T}).reshape({B * num_heads, 1, T});
  auto scores = torch::baddbmm(bias, q, k.transpose(1, 2), /*beta=*/1.0,
                               /*alpha=*/1.0 / std::sqrt(static_cast<double>(head_dim)));
  auto probs = dropout(torch::softmax(scores, -1));  // [B*A, Tq, T]
  auto context = torch::bmm(probs, v);               // [B*A, Tq, D]
  return context.reshape({B, num_heads, Tq, head_dim}).transpose(1, 2).reshape({B, Tq, H});  // [B, Tq, H]
}

torch::Tensor BertSelfAttentionImpl::fusedAttention(const torch::Tensor& q, const torch::Tensor& k,
                                                    const torch::Tensor& v, const torch::Tensor& mask_bias) {
#if SWEET_SDPA_COMPILED
  const int64_t B = q.size(0), Tq = q.size(1), H = num_heads * head_dim;
  auto heads = [&](const torch::Tensor& x) {  // [B, len, H] -> [B, A, len, D], a view
    return x.view({B, x.size(1), num_heads, head_dim}).transpose(1, 2);
  };
  // The additive mask [B, 1, 1, T] broadcasts over heads and queries; SDPA takes a float
  // mask only in the query's dtype (bf16 under autocast).
  const auto mask = mask_bias.scalar_type() == q.scalar_type() ? mask_bias : mask_bias.to(q.scalar_type());
  const double p = is_training() ? dropout->options.p() : 0.0;
  auto context = at::scaled_dot_product_attention(heads(q), heads(k), heads(v), mask, p, /*is_causal=*/false);
  return context.transpose(1, 2).reshape({B, Tq, H});  // [B, A, Tq, D] -> [B, Tq, H]
#else
  (void)q, (void)k, (void)v, (void)mask_bias;
  throw std::logic_error("fused attention needs libtorch 2.0 or newer; useAttentionKernel never sets it here");
#endif
}

BertResidualOutputImpl::BertResidualOutputImpl(int64_t in_features, const BertConfig& c) {
  dense = register_module("dense", nn::Linear(in_features, c.hidden_size));
  LayerNorm = register_module(
      "LayerNorm", nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
}

torch::Tensor BertResidualOutputImpl::forward(const torch::Tensor& x, const torch::Tensor& residual) {
  return LayerNorm(dropout(dense(x)) + residual);
}

BertAttentionImpl::BertAttentionImpl(const BertConfig& c) {
  self = register_module("self", BertSelfAttention(c));
  output = register_module("output", BertResidualOutput(c.hidden_size, c));
}

torch::Tensor BertAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& mask_bias,
                                         bool first_token_only) {
  using torch::indexing::Slice;
  auto residual = first_token_only ? hidden.index({Slice(), Slice(0, 1)}) : hidden;
  return output(self(hidden, mask_bias, first_token_only), residual);
}

BertIntermediateImpl::BertIntermediateImpl(const BertConfig& c) : activation(c.hidden_act) {
  dense = register_module("dense", nn::Linear(c.hidden_size, c.intermediate_size));
}

torch::Tensor BertIntermediateImpl::forward(const torch::Tensor& hidden) {
  auto x = dense(hidden);
  if (activation == "gelu") return torch::gelu(x);  // exact (erf) GELU, as BERT was trained
  if (activation == "relu") return torch::relu(x);
  return torch::gelu(x, "tanh");                      // gelu_new / gelu_pytorch_tanh
}

BertLayerImpl::BertLayerImpl(const BertConfig& c) {
  attention = register_module("attention", BertAttention(c));
  intermediate = register_module("intermediate", BertIntermediate(c));
  output = register_module("output", BertResidualOutput(c.intermediate_size, c));
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& hidden, const torch::Tensor& mask_bias,
                                     bool first_token_only) {
  auto attended = attention(hidden, mask_bias, first_token_only);  // [B, T or 1, H]
  return output(intermediate(attended), attended);                 // [B, T or 1, H]
}

BertEncoderImpl::BertEncoderImpl(const BertConfig& c) {
  layer = register_module("layer", nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) layer->push_back(BertLayer(c));
}

BertModelImpl::BertModelImpl(const BertConfig& c) : config(c) {
  embeddings = register_module("embeddings", BertEmbeddings(c));
  encoder = register_module("encoder", BertEncoder(c));
  pooler = register_module("pooler", ClsPooler(c));
}

torch::Tensor BertModelImpl::maskBias(const torch::Tensor& attention_mask, torch::ScalarType dtype) {
  // As Hugging Face: (1 - mask) * lowest finite value, so padded keys get zero weight
  // without producing inf - inf = NaN.
  double lowest = dtype == torch::kHalf       ? -65504.0
                  : dtype == torch::kBFloat16 ? -3.38953139e38
                                              : static_cast<double>(std::numeric_limits<float>::lowest());
  auto keep = attention_mask.to(dtype).unsqueeze(1).unsqueeze(2);  // [B, 1, 1, T]
  return (1.0 - keep) * lowest;
}

BertModelOutput BertModelImpl::forward(const torch::Tensor& input_ids,
                                       const torch::Tensor& attention_mask,
                                       const torch::Tensor& token_type_ids) {
  return encode(input_ids, attention_mask, token_type_ids);
}

torch::Tensor BertModelImpl::embed(const torch::Tensor& input_ids, const torch::Tensor& /*attention_mask*/,
                                   const torch::Tensor& token_type_ids) {
  return embeddings(input_ids, token_type_ids);
}

EncoderContext BertModelImpl::context(const torch::Tensor& attention_mask, const torch::Tensor& embedded) {
  EncoderContext ctx;
  ctx.key_bias = maskBias(attention_mask, embedded.scalar_type());
  return ctx;
}

torch::Tensor BertModelImpl::layer(int64_t i, const torch::Tensor& hidden, const EncoderContext& ctx,
                                   bool first_token_only) {
  return encoder->at(i)(hidden, ctx.key_bias, first_token_only);
}

void initBertWeights(torch::nn::Module& module, double stddev) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/true)) {
    if (auto* linear = m->as<nn::Linear>()) {
      linear->weight.normal_(0.0, stddev);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* emb = m->as<nn::Embedding>()) {
      emb->weight.normal_(0.0, stddev);
    } else if (auto* ln = m->as<nn::LayerNorm>()) {
      ln->weight.fill_(1.0);
      ln->bias.zero_();
    }
  }
}

}  // namespace sweet
