// A resume checkpoint: everything a run needs to continue bit for bit after it was killed
// or preempted — weights and buffers, the optimiser's moments and step, the random
// generators' states, how many steps were taken (the data order is a pure function of the
// seed and the epoch, so the step count is the position in it) and a gradient record that
// was due but not yet taken. It sits beside the run file as <run name>.resume.pt and is
// written atomically (temporary file, fsync, rename), so a kill at any moment leaves
// either the previous checkpoint or the new one, never half of one. Its SHA-256 sits beside
// it (<run name>.resume.pt.sha256, sha256sum's format) and is checked before every load:
// a damaged checkpoint is refused, never resumed (the check costs one read of the file).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sweet {

struct TrainingCheckpoint {
  std::string config_json;          // trainConfigToJson of the run that wrote it
  int64_t step = 0;                 // optimiser steps taken
  int64_t pending_record = -1;      // a train_batch gradient record due after this step; -1 = none
  int64_t optimizer_steps = 0;
  int64_t threads = 0;              // CPU threads the run used (threads = 0 resolves per machine)
  // Batches taken from the data order so far, for a run whose steps skip batches (MLM
  // pre-training skips a batch with nothing masked); -1 = the step count says it (fine-tuning).
  int64_t batches_drawn = -1;
  std::string precision;            // the run's resolved precision (precision.h); empty = fp32, as before it was kept
  std::map<std::string, torch::Tensor> model;  // named parameters and buffers
  std::vector<torch::Tensor> moments;          // FusedAdamW::momentTensors()
  torch::Tensor cpu_rng;                       // the default CPU generator's state
  torch::Tensor device_rng;                    // the run device's generator (CUDA); undefined on CPU
  std::vector<torch::Tensor> loss_scaler;      // LossScaler::state() of an fp16 run; empty otherwise
};

// Writes `checkpoint` to `path` atomically. A failed write (a full disk, a quota, a
// read-only folder) throws std::runtime_error naming the file and the cause, after removing
// its half-written files; the previous checkpoint and its checksum, if any, are kept.
void saveTrainingCheckpoint(const TrainingCheckpoint& checkpoint, const std::string& path);
// Throws std::runtime_error naming the file when it is missing, damaged (its checksum
// differs or is missing) or not a checkpoint.
TrainingCheckpoint loadTrainingCheckpoint(const std::string& path);
// Removes a checkpoint with its checksum and any half-written leftovers; throws naming the
// file when one cannot be removed (a read-only folder).
void removeTrainingCheckpoint(const std::string& path);

}  // namespace sweet
