// What a run trains: the exit model (EE, SWEET or MM) built from the checkpoint, the
// learning-to-exit heads when asked for (listening to each exit's hidden state during the
// forward pass, so they share its gradient routing), and AdamW over both. Built after
// torch::manual_seed(seed), so the new heads are the same for every method of one seed.
#pragma once

#include <c10/core/Device.h>

#include <memory>
#include <string>
#include <vector>

#include "training/checkpoints/bert_checkpoint.h"
#include "training/models/exit_classifier.h"
#include "training/models/lte_heads.h"
#include "training/runs/fused_adamw.h"
#include "training/runs/loss_scaler.h"
#include "training/runs/precision.h"
#include "training/runs/train_config.h"

namespace sweet {

struct TrainingModel {
  std::shared_ptr<ExitClassifier> model;
  LteHeads lte{nullptr};  // null unless config.lte.enabled
  // Each exit's hidden state [B, T, H] of the latest forward pass, as its head read it
  // (filled only for LTE runs: the heads score it).
  std::vector<torch::Tensor> exit_hidden;
  std::unique_ptr<FusedAdamW> optimizer;
  std::vector<std::string> load_notes;  // what loading the checkpoint had to fill in, for the log
  c10::Device device{c10::kCPU};
  Precision precision = Precision::Fp32;  // resolved for `device`: never Auto
  std::string attention = "explicit";     // the kernel the attentions run (attention_kernel.h): never auto
  std::unique_ptr<LossScaler> scaler;     // fp16 runs only
  // [E] each exit's weight in the loss (config exit_loss_weights), fp32 on the device;
  // undefined for uniform weights, which multiply nothing.
  torch::Tensor exit_loss_weights;
  int64_t exits() const { return static_cast<int64_t>(model->exitLayers().size()); }

  TrainingModel() = default;
  TrainingModel(const TrainingModel&) = delete;  // the model's observer points at exit_hidden
  TrainingModel& operator=(const TrainingModel&) = delete;
};

// Seeds the generator with config.seed, builds and places everything on `device` in
// training mode, with config.precision resolved for it. `numLabels` is 1 for regression.
std::unique_ptr<TrainingModel> buildTrainingModel(const TrainConfig& config, const BertCheckpoint& checkpoint,
                                                  const std::vector<int64_t>& exitLayers, int64_t numLabels,
                                                  const c10::Device& device);

}  // namespace sweet
