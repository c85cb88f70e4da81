// BERT with its masked-language-model head, as Hugging Face's BertForMaskedLM: the encoder
// under "bert." and the head under "cls.predictions." (transform.dense, transform.LayerNorm,
// bias), so a saved folder carries the keys a BertForMaskedLM checkpoint has. The decoder
// weight is TIED to bert.embeddings.word_embeddings.weight (Press & Wolf 2017, as BERT
// was pre-trained): there is no separate decoder parameter; the logits are the transformed
// hidden states times the embedding matrix, plus cls.predictions.bias. Saved files
// therefore hold no cls.predictions.decoder.weight, as Hugging Face's safetensors files do
// not (safetensors cannot hold two names for one tensor; transformers drops the tied copy).
//
// Shapes: B = batch, T = tokens, H = hidden size, V = vocabulary, M = masked positions.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <memory>

#include "training/models/bert_config.h"
#include "training/models/bert_model.h"
#include "training/models/masked_lm.h"

namespace sweet {

// dense -> activation -> LayerNorm on the masked positions' hidden states.
struct BertPredictionHeadTransformImpl : torch::nn::Module {
  explicit BertPredictionHeadTransformImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden);  // [M, H] -> [M, H]

  std::string activation;
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(BertPredictionHeadTransform);

struct BertLmPredictionHeadImpl : torch::nn::Module {
  explicit BertLmPredictionHeadImpl(const BertConfig& config);
  // hidden [M, H], decoder_weight [V, H] (the word embeddings) -> logits [M, V]
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight);

  BertPredictionHeadTransform transform{nullptr};
  torch::Tensor bias;  // [V], checkpoint key cls.predictions.bias
};
TORCH_MODULE(BertLmPredictionHead);

// Hugging Face's BertOnlyMLMHead: a module named "predictions", so keys read cls.predictions.*.
struct BertOnlyMlmHeadImpl : torch::nn::Module {
  explicit BertOnlyMlmHeadImpl(const BertConfig& config);
  BertLmPredictionHead predictions{nullptr};
};
TORCH_MODULE(BertOnlyMlmHead);

// The encoder's layers, then the head on the masked positions alone ([M] flat indices row
// * T + column) -> logits [M, V]: the loss reads nothing else, and the vocabulary
// projection is the costliest matrix product of a BERT-base step when done for all B x T
// tokens. `decoder_weight` is the encoder's word-embedding matrix (the tied decoder).
torch::Tensor maskedLmLogits(EncoderBackbone& encoder, BertLmPredictionHeadImpl& head, const torch::Tensor& decoder_weight,
                             const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                             const torch::Tensor& token_type_ids, const torch::Tensor& positions);

struct BertForMaskedLmImpl : MaskedLmModel {
  explicit BertForMaskedLmImpl(const BertConfig& config);

  // See masked_lm.h and maskedLmLogits.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                        const torch::Tensor& token_type_ids, const torch::Tensor& positions) override;
  EncoderBackbone& encoderBackbone() override { return *bert; }
  BertOnlyMlmHeadImpl& mlmHead() override { return *cls; }
  std::string encoderPrefix() const override { return "bert."; }
  // The embedding matrix the decoder reads (the tied weight), [V, H].
  torch::Tensor decoderWeight() const { return bert->embeddings->word_embeddings->weight; }

  std::shared_ptr<BertModelImpl> bert;
  BertOnlyMlmHead cls{nullptr};
};
TORCH_MODULE(BertForMaskedLm);

}  // namespace sweet
