// What the trainer needs from any model with several exits (Early-Exit, SWEET or a
// Multi-Model cascade): per-exit logits from one forward pass, the parameter groups that
// are clipped separately, the layer matrices the gradient recorder watches, and its
// checkpoint state.
#pragma once

#include "training/models/encoder_backbone.h"
#include <torch/nn/module.h>

#include <functional>
#include <string>
#include <vector>

#include "training/models/bert_config.h"

namespace sweet {

// One padded batch on the model's device: [B, T] int64 each.
struct ModelInput {
  torch::Tensor input_ids, attention_mask, token_type_ids;
};

// A batch part-way through an exit-by-exit forward pass (real early exiting, see
// training/inference/adaptive_inference.h): the rows still running, and the state the next
// exit's segment starts from. Every defined tensor has one row per running instance, so
// dropping the instances that left is one index_select per tensor (keepRows).
struct ExitPass {
  ModelInput input;                 // kept only while a later segment re-embeds (MM)
  torch::Tensor hidden;             // [B, T, H] after the last segment run ([B, 1, H] after the model's last layer)
  EncoderContext context;           // masks (per row) and relative positions (per batch) every layer reads
  int64_t next_exit = 0;            // 0-based exit the next segment ends at

  // Keeps rows `rows` ([b] int64, on the model's device) of every tensor, in that order.
  void keepRows(const torch::Tensor& rows);
};

class ExitClassifier : public torch::nn::Module {
 public:
  // Logits of every exit, in exit order: E tensors [B, K].
  virtual std::vector<torch::Tensor> forwardExits(const ModelInput& input) = 0;

  // Exit-by-exit forward pass, the same computation as forwardExits split at the exits:
  // for each exit e in order, embedSegment (embeddings, when segment e needs fresh ones:
  // EE/SWEET only before the first, MM before every member), runSegment (the layers
  // between exit e-1 and e) and exitLogits ([B, K], moving on to exit e+1). Between exits
  // the caller may drop rows with ExitPass::keepRows.
  ExitPass beginPass(const ModelInput& input) const { return ExitPass{input, {}, {}, 0}; }
  virtual void embedSegment(ExitPass& pass) = 0;
  virtual void runSegment(ExitPass& pass) = 0;
  // `features`, when given, receives the head's input to its classifier ([B, H], after the
  // pooler and dropout): what learning-to-exit heads read under lte_reads_pooled.
  virtual torch::Tensor exitLogits(ExitPass& pass, torch::Tensor* features = nullptr) = 0;
  // The model run without exiting: the last exit's logits [B, K] and only the layers it
  // needs (EE/SWEET: the whole backbone, no intermediate heads; MM: the last member alone).
  virtual torch::Tensor forwardLastExit(const ModelInput& input) = 0;
  // Parameters clipped together (one group per independent model).
  virtual std::vector<std::vector<torch::Tensor>> clipGroups() = 0;
  // The weight `matrix` (e.g. "output.dense.weight") of 1-based `layer` as seen by exit
  // `exit`; undefined when that exit's computation does not contain the layer.
  virtual torch::Tensor layerMatrix(int64_t exit, int64_t layer, const std::string& matrix) = 0;
  virtual const std::vector<int64_t>& exitLayers() const = 0;
  virtual std::string method() const = 0;

  // Called by forwardExits with what each exit's learning-to-exit head reads (before
  // SWEET's detach, so it obeys the exit's gradient routing): its hidden state [B, T, H]
  // as the exit's head receives it, or with lte_reads_pooled the head's own pooled
  // features [B, H] (after the pooler and dropout, the classifier's input: the released
  // BERxiT/SWEET code's choice, lte.input "pooled"). Empty: nobody listens (the default).
  std::function<void(int64_t exit, const torch::Tensor& hidden)> exit_hidden_observer;
  bool lte_reads_pooled = false;
};

// Default exits for a backbone depth: [1,4,6,12] for 12 layers, [1,6,12,24] for 24, and
// for other depths the same fractions (1 layer, L/3, L/2, L) rounded and de-duplicated.
std::vector<int64_t> defaultExitLayers(int64_t num_layers);

}  // namespace sweet
