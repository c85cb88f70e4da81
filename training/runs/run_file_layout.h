// What a run's HDF5 file holds before its first step (docs/run-file.md): the config, the
// environment of the process writing it, the task, the exits, the rows of every split and
// the shape of the gradient records. One function, so a fresh run and a resumed one lay
// their files out alike.
#pragma once

#include <c10/core/Device.h>

#include <optional>
#include <string>
#include <vector>

#include "training/checkpoints/bert_checkpoint.h"
#include "training/runs/data_split.h"
#include "training/runs/gradient_probes.h"
#include "training/runs/precision.h"
#include "training/runs/run_file_writer.h"
#include "training/runs/train_config.h"

namespace sweet {

// What a training step runs that the config may leave to `auto`, as resolved for the device.
struct StepKernels {
  std::string attention;           // "explicit" or "sdpa"
  int64_t pad_to_multiple_of = 0;  // training batches' padding multiple; 0: the longest row
};

// Versions, host, process and start time of the process writing the file, its device and
// the precision it trains in (resolved: never auto), and where given the step's kernels;
// where it took over a resumed run, `resumedAtStep`.
std::string environmentJson(const c10::Device& device, Precision precision, int threads,
                            std::optional<int64_t> resumedAtStep, const std::optional<StepKernels>& kernels = std::nullopt);

RunFileLayout makeRunFileLayout(const TrainConfig& config, const DataSplits& data, const BertCheckpoint& checkpoint,
                                const std::vector<int64_t>& exitLayers, int64_t totalSteps, const GradientProbes& probes,
                                std::string environment);

}  // namespace sweet
