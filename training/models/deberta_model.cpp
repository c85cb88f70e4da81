// DeBERTa encoder: see deberta_model.h.
#include "training/models/deberta_model.h"

#include <torch/torch.h>

#include "training/models/attention_kernel.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sweet {
namespace nn = torch::nn;

namespace {

nn::LayerNorm layerNorm(const BertConfig& c) {
  return nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps));
}

}  // namespace

DebertaEmbeddingsImpl::DebertaEmbeddingsImpl(const BertConfig& c) {
  const auto& d = c.deberta;
  const int64_t E = d.embedding_size > 0 ? d.embedding_size : c.hidden_size;
  auto words = nn::EmbeddingOptions(c.vocab_size, E);
  // Hugging Face gives the padding token's row no gradient; so does padding_idx here.
  if (c.pad_token_id >= 0 && c.pad_token_id < c.vocab_size) words.padding_idx(c.pad_token_id);
  word_embeddings = register_module("word_embeddings", nn::Embedding(words));
  if (d.position_biased_input)
    position_embeddings = register_module("position_embeddings", nn::Embedding(c.max_position_embeddings, E));
  if (c.type_vocab_size > 0)
    token_type_embeddings = register_module("token_type_embeddings", nn::Embedding(c.type_vocab_size, E));
  if (E != c.hidden_size)
    embed_proj = register_module("embed_proj", nn::Linear(nn::LinearOptions(E, c.hidden_size).bias(false)));
  LayerNorm = register_module("LayerNorm", layerNorm(c));
  dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
}

torch::Tensor DebertaEmbeddingsImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids,
                                             const torch::Tensor& attention_mask) {
  auto x = word_embeddings(input_ids);  // [B, T, E]
  if (position_embeddings) {
    const int64_t T = input_ids.size(1);
    TORCH_CHECK(T <= position_embeddings->weight.size(0), "sequence of ", T,
                " tokens is longer than max_position_embeddings ", position_embeddings->weight.size(0));
    x = x + position_embeddings(torch::arange(T, input_ids.options())).unsqueeze(0);
  }
  if (token_type_embeddings) x = x + token_type_embeddings(token_type_ids);
  if (embed_proj) x = embed_proj(x);
  x = LayerNorm(x) * attention_mask.to(x.scalar_type()).unsqueeze(2);  // padding rows are zero
  return dropout(x);  // [B, T, H]
}

DisentangledSelfAttentionImpl::DisentangledSelfAttentionImpl(const BertConfig& c)
    : v2(c.deberta.v2),
      share_att_key(c.deberta.share_att_key),
      c2p(c.deberta.relative_attention && c.deberta.c2p()),
      p2c(c.deberta.relative_attention && c.deberta.p2c()),
      num_heads(c.num_attention_heads),
      head_dim(c.headDim()),
      scale_factor(c.deberta.scaleFactor()) {
  const int64_t H = c.hidden_size;
  if (!v2) {
    in_proj = register_module("in_proj", nn::Linear(nn::LinearOptions(H, 3 * H).bias(false)));
    q_bias = register_parameter("q_bias", torch::zeros({H}));
    v_bias = register_parameter("v_bias", torch::zeros({H}));
    if (c2p) pos_proj = register_module("pos_proj", nn::Linear(nn::LinearOptions(H, H).bias(false)));
    if (p2c) pos_q_proj = register_module("pos_q_proj", nn::Linear(H, H));
  } else {
    query_proj = register_module("query_proj", nn::Linear(H, H));
    key_proj = register_module("key_proj", nn::Linear(H, H));
    value_proj = register_module("value_proj", nn::Linear(H, H));
    if (!share_att_key) {
      if (c2p) pos_key_proj = register_module("pos_key_proj", nn::Linear(H, H));
      if (p2c) pos_query_proj = register_module("pos_query_proj", nn::Linear(H, H));
    }
  }
  pos_dropout = register_module("pos_dropout", nn::Dropout(c.hidden_dropout_prob));
  dropout = register_module("dropout", nn::Dropout(c.attention_probs_dropout_prob));
}

torch::Tensor DisentangledSelfAttentionImpl::forward(const torch::Tensor& hidden, const EncoderContext& ctx,
                                                     bool first_token_only) {
  const int64_t B = hidden.size(0), T = hidden.size(1), A = num_heads, D = head_dim;
  auto heads = [&](const torch::Tensor& x) {  // [B, n, H] -> [B, A, n, D]
    return x.view({x.size(0), x.size(1), A, D}).permute({0, 2, 1, 3});
  };
  torch::Tensor q, k, v;
  if (!v2) {
    // One GEMM; the fused weight's rows go head by head, each head's q, k, v in turn.
    auto parts = torch::linear(hidden, in_proj->weight).view({B, T, A, 3 * D}).permute({0, 2, 1, 3}).chunk(3, -1);
    q = parts[0] + q_bias.view({1, A, 1, D});
    k = parts[1];
    v = parts[2] + v_bias.view({1, A, 1, D});
    if (first_token_only) q = q.narrow(2, 0, 1);
  } else {
    q = heads(query_proj(first_token_only ? hidden.narrow(1, 0, 1) : hidden));
    k = heads(key_proj(hidden));
    v = heads(value_proj(hidden));
  }
  auto context = fused ? fusedAttention(q, k, v, ctx) : explicitAttention(q, k, v, ctx);  // [B, A, Tq, D]
  return context.permute({0, 2, 1, 3}).reshape({B, q.size(2), A * D});
}

torch::Tensor DisentangledSelfAttentionImpl::addRelativeScores(torch::Tensor scores, const torch::Tensor& q,
                                                               const torch::Tensor& k, const EncoderContext& ctx) {
  if (!(c2p || p2c) || !ctx.rel_embeddings.defined()) return scores;
  const int64_t B = q.size(0), A = num_heads, D = head_dim, Tq = q.size(2), T = k.size(2);
  auto add = [&](const torch::Tensor& term) { scores = scores.defined() ? scores + term : term; };
  auto rel = pos_dropout(ctx.rel_embeddings);  // [S, H]
  const int64_t S = rel.size(0);
  auto posHeads = [&](const torch::Tensor& x) { return x.view({S, A, D}).permute({1, 0, 2}); };  // [A, S, D]
  if (c2p) {
    auto kr = posHeads(!v2 ? pos_proj(rel) : share_att_key ? key_proj(rel) : pos_key_proj(rel));
    auto all = torch::matmul(q, kr.transpose(-1, -2));  // [B, A, Tq, S]: q_i against every distance
    add(all.gather(-1, ctx.c2p_index.narrow(0, 0, Tq).expand({B, A, Tq, T})));
  }
  if (p2c) {
    auto qr = posHeads(!v2 ? pos_q_proj(rel) : share_att_key ? query_proj(rel) : pos_query_proj(rel));
    auto all = torch::matmul(k, qr.transpose(-1, -2));  // [B, A, T, S]: k_j against every distance
    add(all.gather(-1, ctx.p2c_index.narrow(1, 0, Tq).expand({B, A, T, Tq})).transpose(-1, -2));
  }
  return scores;
}

torch::Tensor DisentangledSelfAttentionImpl::explicitAttention(const torch::Tensor& q, const torch::Tensor& k,
                                                               const torch::Tensor& v, const EncoderContext& ctx) {
  const int64_t Tq = q.size(2);
  auto scores = addRelativeScores(torch::matmul(q, k.transpose(-1, -2)), q, k, ctx);  // [B, A, Tq, T]
  // All three terms share one scale, 1/sqrt(D * (1 + |pos_att_type|)).
  scores = scores * (1.0 / std::sqrt(static_cast<double>(head_dim * scale_factor))) + ctx.key_bias;
  auto probs = torch::softmax(scores, -1);  // [B, A, Tq, T]
  // XSoftmax: a padded query attends to nothing (its row is zero, not uniform).
  if (ctx.query_keep.defined()) probs = probs * ctx.query_keep.narrow(2, 0, Tq);
  return torch::matmul(dropout(probs), v);  // [B, A, Tq, D]
}

torch::Tensor DisentangledSelfAttentionImpl::fusedAttention(const torch::Tensor& q, const torch::Tensor& k,
                                                            const torch::Tensor& v, const EncoderContext& ctx) {
#if SWEET_SDPA_SCALE_COMPILED
  const int64_t Tq = q.size(2);
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim * scale_factor));
  // softmax(q k^T s + (c2p + p2c) s + padding): the relative terms, scaled, ride in the
  // float mask (memory-efficient kernels take one; flash ones do not, so CUDA picks those).
  const torch::Tensor relative = addRelativeScores(torch::Tensor(), q, k, ctx);
  torch::Tensor mask = relative.defined() ? relative * scale + ctx.key_bias : ctx.key_bias;
  if (mask.scalar_type() != q.scalar_type()) mask = mask.to(q.scalar_type());
  const double p = is_training() ? dropout->options.p() : 0.0;
  auto context = at::scaled_dot_product_attention(q, k, v, mask, p, /*is_causal=*/false, scale);
  // XSoftmax's zero rows for padded queries: a zero probability row is a zero context row.
  return ctx.query_keep.defined() ? context * ctx.query_keep.narrow(2, 0, Tq) : context;
#else
  (void)q, (void)k, (void)v, (void)ctx;
  throw std::logic_error("fused DeBERTa attention needs libtorch 2.1 or newer; useAttentionKernel never sets it here");
#endif
}

DebertaAttentionImpl::DebertaAttentionImpl(const BertConfig& c) {
  self = register_module("self", DisentangledSelfAttention(c));
  output = register_module("output", BertResidualOutput(c.hidden_size, c));
}

torch::Tensor DebertaAttentionImpl::forward(const torch::Tensor& hidden, const EncoderContext& ctx,
                                            bool first_token_only) {
  auto residual = first_token_only ? hidden.narrow(1, 0, 1) : hidden;
  return output(self(hidden, ctx, first_token_only), residual);
}

DebertaLayerImpl::DebertaLayerImpl(const BertConfig& c) {
  attention = register_module("attention", DebertaAttention(c));
  intermediate = register_module("intermediate", BertIntermediate(c));
  output = register_module("output", BertResidualOutput(c.intermediate_size, c));
}

torch::Tensor DebertaLayerImpl::forward(const torch::Tensor& hidden, const EncoderContext& ctx, bool first_token_only) {
  auto attended = attention(hidden, ctx, first_token_only);
  return output(intermediate(attended), attended);
}

DebertaConvLayerImpl::DebertaConvLayerImpl(const BertConfig& c) : activation(c.deberta.conv_act) {
  const int64_t k = c.deberta.conv_kernel_size;
  conv = register_module("conv", nn::Conv1d(nn::Conv1dOptions(c.hidden_size, c.hidden_size, k)
                                                .padding((k - 1) / 2)
                                                .groups(c.deberta.conv_groups)));
  LayerNorm = register_module("LayerNorm", layerNorm(c));
  dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
}

torch::Tensor DebertaConvLayerImpl::forward(const torch::Tensor& embeddings, const torch::Tensor& residual,
                                            const torch::Tensor& token_keep) {
  auto out = conv(embeddings.permute({0, 2, 1})).permute({0, 2, 1}) * token_keep;  // [B, T, H]
  out = applyActivation(activation, dropout(out));
  return LayerNorm(residual + out) * token_keep;
}

DebertaEncoderImpl::DebertaEncoderImpl(const BertConfig& c) {
  const auto& d = c.deberta;
  layer = register_module("layer", nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) layer->push_back(DebertaLayer(c));
  if (d.relative_attention)
    rel_embeddings = register_module("rel_embeddings",
                                     nn::Embedding(d.relEmbeddingRows(c.max_position_embeddings), c.hidden_size));
  if (d.v2 && d.normRelEmbeddings()) LayerNorm = register_module("LayerNorm", layerNorm(c));
  if (d.v2 && d.conv_kernel_size > 0) conv = register_module("conv", DebertaConvLayer(c));
}

torch::Tensor debertaRelativePositions(const BertConfig& c, int64_t T) {
  const auto& d = c.deberta;
  auto ids = torch::arange(T, torch::kLong);
  auto rel = ids.unsqueeze(1) - ids.unsqueeze(0);  // [T, T]: i - j
  const int64_t maxRel = d.maxRelativePositions(c.max_position_embeddings);
  if (!d.v2 || d.position_buckets <= 0 || maxRel <= 0) return rel;
  // Log buckets: distances within mid stay exact, farther ones share buckets growing
  // logarithmically up to maxRel. Computed in float32 as the released code does, so
  // bucket boundaries (a ceil) fall where theirs do.
  const int64_t mid = d.position_buckets / 2;
  auto sign = torch::sign(rel);
  auto absPos = torch::where((rel < mid) & (rel > -mid), torch::full_like(rel, mid - 1), rel.abs());
  auto denominator = torch::log(torch::tensor(static_cast<float>(static_cast<double>(maxRel - 1) / mid)));
  auto logPos = torch::ceil(torch::log(absPos.to(torch::kFloat) / static_cast<float>(mid)) / denominator *
                            static_cast<float>(mid - 1)) + static_cast<float>(mid);
  return torch::where(absPos <= mid, rel.to(torch::kFloat), logPos * sign.to(torch::kFloat)).to(torch::kLong);
}

DebertaModelImpl::DebertaModelImpl(const BertConfig& c) : config(c) {
  embeddings = register_module("embeddings", DebertaEmbeddings(c));
  encoder = register_module("encoder", DebertaEncoder(c));
  pooler = register_module("pooler", ClsPooler(c));
}

torch::Tensor DebertaModelImpl::embed(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                      const torch::Tensor& token_type_ids) {
  return embeddings(input_ids, token_type_ids, attention_mask);
}

EncoderContext DebertaModelImpl::context(const torch::Tensor& attention_mask, const torch::Tensor& embedded) {
  EncoderContext ctx;
  const auto keep = attention_mask.to(embedded.scalar_type());
  ctx.key_bias = BertModelImpl::maskBias(attention_mask, embedded.scalar_type());
  ctx.query_keep = keep.unsqueeze(1).unsqueeze(3);  // [B, 1, T, 1]
  ctx.token_keep = keep.unsqueeze(2);               // [B, T, 1]
  ctx.embedding_output = embedded;
  const auto& d = config.deberta;
  if (!d.relative_attention) return ctx;
  const int64_t T = embedded.size(1);
  const int64_t maxRel = d.maxRelativePositions(config.max_position_embeddings);
  auto table = encoder->rel_embeddings->weight;
  int64_t span;
  if (d.v2) {
    if (encoder->LayerNorm) table = encoder->LayerNorm(table);
    span = d.position_buckets > 0 ? d.position_buckets : maxRel;  // the whole table
  } else {
    // v1 reads the 2 * span rows around the centre, span = min(T, max_relative_positions).
    span = std::min(T, maxRel);
    table = table.narrow(0, maxRel - span, 2 * span);
  }
  ctx.rel_embeddings = table;
  auto rel = debertaRelativePositions(config, T).to(embedded.device());
  ctx.c2p_index = (rel + span).clamp(0, 2 * span - 1);
  ctx.p2c_index = (span - rel).clamp(0, 2 * span - 1);
  return ctx;
}

torch::Tensor DebertaModelImpl::layer(int64_t i, const torch::Tensor& hidden, const EncoderContext& ctx,
                                      bool first_token_only) {
  const bool conv = i == 0 && encoder->conv;
  // The convolution after layer 0 reads that layer's output at every position.
  auto out = encoder->at(i)(hidden, ctx, first_token_only && !conv);
  if (conv) {
    out = encoder->conv(ctx.embedding_output, out, ctx.token_keep);
    if (first_token_only) out = out.narrow(1, 0, 1);
  }
  return out;
}

}  // namespace sweet
