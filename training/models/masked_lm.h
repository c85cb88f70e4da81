// What MLM pre-training needs from a model with a masked-language-model head, whichever
// encoder it has (BertForMaskedLm, DebertaForMaskedLm): logits at the masked positions, the
// encoder (to load a checkpoint into), the head (cls.predictions.*) and the prefix its
// encoder's checkpoint keys carry. Both heads have Hugging Face's BertOnlyMLMHead layout.
#pragma once

#include <torch/nn/module.h>

#include <string>

namespace sweet {

class EncoderBackbone;
struct BertOnlyMlmHeadImpl;

struct MaskedLmModel : torch::nn::Module {
  // input_ids, attention_mask, token_type_ids [B, T]; positions [M] int64 flat indices
  // (row * T + column) of the tokens to predict -> logits [M, V].
  virtual torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                const torch::Tensor& token_type_ids, const torch::Tensor& positions) = 0;
  virtual EncoderBackbone& encoderBackbone() = 0;
  virtual BertOnlyMlmHeadImpl& mlmHead() = 0;
  virtual std::string encoderPrefix() const = 0;  // "bert." or "deberta."
};

}  // namespace sweet
