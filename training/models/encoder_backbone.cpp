// Encoder interface and factory: see encoder_backbone.h.
#include "training/models/encoder_backbone.h"

#include <torch/torch.h>

#include "training/models/bert_model.h"
#include "training/models/deberta_model.h"

namespace sweet {

EncoderOutput EncoderBackbone::encode(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                      const torch::Tensor& token_type_ids) {
  EncoderOutput out;
  auto hidden = embed(input_ids, attention_mask, token_type_ids);
  const EncoderContext ctx = context(attention_mask, hidden);
  out.hidden_states.push_back(hidden);
  for (int64_t i = 0; i < numLayers(); ++i) {
    hidden = layer(i, hidden, ctx);
    out.hidden_states.push_back(hidden);
  }
  out.pooled = clsPooler().forward(hidden);
  return out;
}

std::shared_ptr<EncoderBackbone> makeBackbone(const BertConfig& config) {
  if (config.isDeberta()) return std::make_shared<DebertaModelImpl>(config);
  return std::make_shared<BertModelImpl>(config);
}

void initBackboneWeights(EncoderBackbone& backbone, double stddev) {
  initBertWeights(backbone, stddev);
  const BertConfig& c = backbone.backboneConfig();
  if (c.isDeberta() && c.pad_token_id >= 0 && c.pad_token_id < c.vocab_size) {
    torch::NoGradGuard no_grad;
    dynamic_cast<DebertaModelImpl&>(backbone).embeddings->word_embeddings->weight[c.pad_token_id].zero_();
  }
}

}  // namespace sweet
