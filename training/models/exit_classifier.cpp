// Dropping rows from a staged exit pass: see exit_classifier.h.
#include "training/models/exit_classifier.h"

#include <torch/torch.h>

namespace sweet {

void ExitPass::keepRows(const torch::Tensor& rows) {
  // index_select copies the kept rows into a fresh contiguous tensor: the next segment's
  // GEMMs then run on b rows instead of B (the whole point), at the cost of one copy of
  // the hidden state per exit.
  // Per-row tensors only: relative embeddings and position indices are the batch's [T, ...].
  for (torch::Tensor* t : {&input.input_ids, &input.attention_mask, &input.token_type_ids, &hidden, &context.key_bias,
                           &context.query_keep, &context.token_keep, &context.embedding_output})
    if (t->defined()) *t = t->index_select(0, rows);
}

}  // namespace sweet
