// Learning-to-exit modules (BERxiT, Xin et al. 2021): beside each exit a one-layer head on
// the exit's [CLS] hidden state that estimates whether that exit's own prediction is right
// (classification) or how close it is (regression), so inference may exit on that estimate
// instead of the softmax confidence. Trained jointly with the exits (an extra squared-error
// term) or on alternate steps, as BERxiT's released code does.
//
// The heads read the hidden state an exit's classifier reads, before SWEET's detach, so
// with SWEET exit i's LTE loss updates only its own segment (layers L_{i-1}+1 .. L_i).
// Checkpoint keys: lte.N.weight, lte.N.bias (kept in the trainer, not in the model folder).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>

#include <cstdint>

namespace sweet {

class LteHeadsImpl : public torch::nn::Module {
 public:
  LteHeadsImpl(int64_t hidden_size, int64_t exits);
  // Exit `exit`'s score in (0, 1) for each row: sigmoid(w · h_[CLS] + b). hidden [B, T, H].
  torch::Tensor score(int64_t exit, const torch::Tensor& hidden);

  torch::nn::ModuleList heads{nullptr};
};
TORCH_MODULE(LteHeads);

// What an exit's LTE score is trained towards, from that exit's detached output:
// classification (logits [B, K], labels [B]): 1 where argmax is the label, else 0;
// regression (logits [B, 1], targets [B]): 1 − tanh(|prediction − target|), BERxiT's
// regression target (1 for an exact prediction, towards 0 as the error grows).
torch::Tensor lteTarget(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& targets,
                        bool regression);

}  // namespace sweet
