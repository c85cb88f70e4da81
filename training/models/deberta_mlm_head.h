// DeBERTa (v1, v2, v3) with a masked-language-model head under Hugging Face's
// DebertaForMaskedLM / DebertaV2ForMaskedLM names: the encoder under "deberta." and the
// head under "cls.predictions." (transform.dense, transform.LayerNorm, bias), the decoder
// TIED to deberta.embeddings.word_embeddings.weight as in bert_mlm_head.h, so a saved
// folder holds no cls.predictions.decoder.weight. The head is BERT's: DebertaOnlyMLMHead has
// the same layers (DeBERTa's embedding_size, when it differs from hidden_size, is refused:
// no released DeBERTa uses it).
//
// Not the enhanced mask decoder of the DeBERTa paper (absolute positions added before a
// last two-layer pass): Hugging Face's DebertaForMaskedLM leaves it out too, and fine-tuning
// reads only the encoder.
//
// Shapes: B = batch, T = tokens, H = hidden size, V = vocabulary, M = masked positions.
#pragma once

#include <memory>

#include "training/models/bert_mlm_head.h"
#include "training/models/deberta_model.h"

namespace sweet {

struct DebertaForMaskedLmImpl : MaskedLmModel {
  // Throws when the config's embedding_size differs from hidden_size.
  explicit DebertaForMaskedLmImpl(const BertConfig& config);

  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                        const torch::Tensor& token_type_ids, const torch::Tensor& positions) override;
  EncoderBackbone& encoderBackbone() override { return *deberta; }
  BertOnlyMlmHeadImpl& mlmHead() override { return *cls; }
  std::string encoderPrefix() const override { return "deberta."; }
  torch::Tensor decoderWeight() const { return deberta->embeddings->word_embeddings->weight; }

  std::shared_ptr<DebertaModelImpl> deberta;
  BertOnlyMlmHead cls{nullptr};
};
TORCH_MODULE(DebertaForMaskedLm);

}  // namespace sweet
