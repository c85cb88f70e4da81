// DeBERTa's MLM head: see deberta_mlm_head.h.
#include "training/models/deberta_mlm_head.h"

#include <torch/torch.h>

#include <stdexcept>

namespace sweet {

DebertaForMaskedLmImpl::DebertaForMaskedLmImpl(const BertConfig& c) {
  if (c.deberta.embedding_size != 0 && c.deberta.embedding_size != c.hidden_size)
    throw std::runtime_error("embedding_size " + std::to_string(c.deberta.embedding_size) + " differs from hidden_size " +
                             std::to_string(c.hidden_size) + ": MLM pre-training of such a DeBERTa is not supported");
  deberta = register_module("deberta", std::make_shared<DebertaModelImpl>(c));
  cls = register_module("cls", BertOnlyMlmHead(c));
}

torch::Tensor DebertaForMaskedLmImpl::forward(const torch::Tensor& inputIds, const torch::Tensor& attentionMask,
                                              const torch::Tensor& tokenTypeIds, const torch::Tensor& positions) {
  return maskedLmLogits(*deberta, *cls->predictions, decoderWeight(), inputIds, attentionMask, tokenTypeIds, positions);
}

}  // namespace sweet
