// Learning-to-exit modules (BERxiT, Xin et al. 2021): beside each exit a one-layer head on
// the exit's [CLS] hidden state that estimates whether that exit's own prediction is right
// (classification) or how close it is (regression), so inference may exit on that estimate
// instead of the softmax confidence. Trained jointly with the exits (an extra squared-error
// term) or on alternate steps (lte.schedule). BERxiT itself uses one head shared by every
// exit (`shared`, the "bertxit" schedule); otherwise each exit has its own.
//
// The heads read what an exit's classifier reads (lte.input: its pooled features, or the
// [CLS] state of its hidden state), before SWEET's detach, so with SWEET exit i's LTE loss
// updates only its own segment (layers L_{i-1}+1 .. L_i).
// Checkpoint keys: lte.N.weight, lte.N.bias, in the resume checkpoint and, for a saved
// model, in lte.safetensors beside its model.safetensors (`sweet infer --rule learned`).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>

#include <cstdint>
#include <string>

namespace sweet {

class LteHeadsImpl : public torch::nn::Module {
 public:
  // shared: one head (lte.0) scores every exit, as BERxiT's; else one per exit (lte.N).
  LteHeadsImpl(int64_t hidden_size, int64_t exits, bool shared = false);
  // Exit `exit`'s score in (0, 1) for each row: sigmoid(w · x + b), x the exit's pooled
  // features [B, H] (lte.input "pooled"), or h_[CLS] of its hidden state [B, T, H] ("cls").
  torch::Tensor score(int64_t exit, const torch::Tensor& hidden);

  torch::nn::ModuleList heads{nullptr};
  bool shared = false;
};
TORCH_MODULE(LteHeads);

// What an exit's LTE score is trained towards, from that exit's detached output:
// classification (logits [B, K], labels [B]): 1 where argmax is the label, else 0;
// regression (logits [B, 1], targets [B]): 1 − tanh(|prediction − target|), BERxiT's
// regression target (1 for an exact prediction, towards 0 as the error grows).
torch::Tensor lteTarget(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& targets,
                        bool regression);

// A saved model's heads: <model folder>/lte.safetensors. A separate file, so the model's
// own weights keep exactly the keys of a model trained without LTE.
inline constexpr const char* kLteWeightsFile = "lte.safetensors";
void saveLteHeads(LteHeadsImpl& heads, const std::string& path);
// Heads for `exits` exits of width `hidden_size` from `path` (one shared head when the file
// holds only lte.0, as a "bertxit" run saves); throws naming the file when it is unreadable
// or its keys or shapes do not fit those.
LteHeads loadLteHeads(const std::string& path, int64_t hidden_size, int64_t exits);

}  // namespace sweet
