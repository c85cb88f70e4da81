// What exit models (EE, SWEET, MM), inspection and checkpoint code need from an encoder,
// whatever its kind (BERT or DeBERTa): embed the tokens, prepare what every layer reads
// (masks, relative positions), run layer i, pool the first token. Exit models run the
// layers themselves so they can attach heads and (SWEET) detach between them.
#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <vector>

#include "training/models/bert_config.h"
#include "training/models/cls_pooler.h"

namespace sweet {

// Computed once per batch, read by every layer. B = batch, T = tokens, H = hidden size.
struct EncoderContext {
  torch::Tensor key_bias;    // [B, 1, 1, T] additive: 0 for tokens, lowest finite value for padding
  torch::Tensor query_keep;  // [B, 1, T, 1] 1/0: DeBERTa's padded queries attend to nothing; undefined for BERT
  torch::Tensor token_keep;  // [B, T, 1] 1/0 (DeBERTa); undefined for BERT
  torch::Tensor rel_embeddings;   // [2 * span, H] relative-position embeddings this batch reads (DeBERTa)
  torch::Tensor c2p_index;        // [T, T] int64: row of rel_embeddings for query i, key j
  torch::Tensor p2c_index;        // [T, T] int64: row for key j (first index), query i
  torch::Tensor embedding_output;  // [B, T, H]: the input of layer 0 (DeBERTa-v2's convolution reads it)
};

struct EncoderOutput {
  std::vector<torch::Tensor> hidden_states;  // L + 1 tensors [B, T, H], embeddings first
  torch::Tensor pooled;                      // [B, H]
};

class EncoderBackbone : public torch::nn::Module {
 public:
  // input_ids, attention_mask (1 token, 0 padding), token_type_ids: [B, T] int64 -> [B, T, H]
  virtual torch::Tensor embed(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                              const torch::Tensor& token_type_ids) = 0;
  virtual EncoderContext context(const torch::Tensor& attention_mask, const torch::Tensor& embedded) = 0;
  // Layer i (0-based). first_token_only returns [B, 1, H], the first token's output alone:
  // exact for the last layer before a classifier, which reads nothing else.
  virtual torch::Tensor layer(int64_t i, const torch::Tensor& hidden, const EncoderContext& context,
                              bool first_token_only = false) = 0;
  virtual ClsPoolerImpl& clsPooler() = 0;
  virtual torch::nn::Module& layerModule(int64_t i) = 0;  // its parameters, for the gradient recorder
  virtual const BertConfig& backboneConfig() const = 0;
  int64_t numLayers() const { return backboneConfig().num_hidden_layers; }

  // The whole encoder: every hidden state and the pooled first token.
  EncoderOutput encode(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                       const torch::Tensor& token_type_ids);
};

// A BertModel or DebertaModel for config.model_type, with PyTorch's default initialisation.
std::shared_ptr<EncoderBackbone> makeBackbone(const BertConfig& config);

// Hugging Face's initialisation: normal(0, stddev) weights and embeddings, zero biases,
// LayerNorm (1, 0); DeBERTa's padding token embedding zero.
void initBackboneWeights(EncoderBackbone& backbone, double stddev = 0.02);

}  // namespace sweet
