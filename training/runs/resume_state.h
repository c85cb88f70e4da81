// Continuing a run bit for bit: which resume checkpoint to continue from (if any), and the
// one list of named tensors a checkpoint captures and restores (the model's parameters
// and buffers, then the learning-to-exit heads'), with the optimiser's moments and the
// random generators beside them. See training_checkpoint.h for the file itself.
#pragma once

#include <c10/core/Device.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "training/runs/resume_policy.h"
#include "training/runs/train_config.h"
#include "training/runs/training_checkpoint.h"
#include "training/runs/training_model.h"

namespace sweet {

// The checkpoint the policy says to continue from, loaded; a config that differs from the
// checkpoint's is refused, naming the keys, rather than resumed into a run that matches
// neither configuration. Throws naming the file.
std::optional<TrainingCheckpoint> checkpointToResume(const TrainConfig& config, ResumePolicy policy,
                                                     const std::function<void(const std::string&)>& say);

// The configuration a checkpoint is matched on, with the run name resolved: a name set
// explicitly equal to the derived one is the same run.
std::string checkpointConfigJson(const TrainConfig& config);

// Every tensor a checkpoint holds for `t`, by checkpoint key, in one fixed order. LTE keys
// are lte.N.*: no model key starts so.
std::vector<std::pair<std::string, torch::Tensor>> namedStateTensors(TrainingModel& t);

class FusedAdamW;

// The model-independent halves, for any training loop (fine-tuning, MLM pre-training):
// `named` tensors detached into checkpoint.model, the optimiser's moments and step count,
// and the CPU (and the run device's) generator state; and back, refusing a checkpoint
// whose tensors do not match `named` by name and shape (naming `path`).
void captureTensorsAndGenerators(TrainingCheckpoint& checkpoint,
                                 const std::vector<std::pair<std::string, torch::Tensor>>& named,
                                 const FusedAdamW& optimizer, const c10::Device& device);
void restoreTensorsAndGenerators(const TrainingCheckpoint& checkpoint,
                                 const std::vector<std::pair<std::string, torch::Tensor>>& named,
                                 FusedAdamW& optimizer, const c10::Device& device, const std::string& path);

// The state after `step` steps (a train_batch gradient record due after pendingRecord,
// or -1), ready for saveTrainingCheckpoint.
TrainingCheckpoint captureResumeState(const TrainConfig& config, TrainingModel& t, int64_t step, int64_t pendingRecord,
                                      int threads, const c10::Device& device);

// A checkpoint resumes only into a run of the precision it trained in (one written before
// precisions were recorded trained in fp32); throws naming `path`, both precisions and
// the config's value otherwise.
void checkResumePrecision(const TrainingCheckpoint& checkpoint, const TrainingModel& t, const TrainConfig& config,
                          const std::string& path);

// Copies the checkpoint's weights, moments and generator states into `t` and the global
// generators, then frees the checkpoint's tensors (three models' worth of memory). Throws
// naming `path` when the tensors do not fit this model.
void restoreResumeState(TrainingCheckpoint& checkpoint, TrainingModel& t, const c10::Device& device,
                        const std::string& path);

}  // namespace sweet
