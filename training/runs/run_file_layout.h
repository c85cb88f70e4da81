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

// Versions, host, process and start time of the process writing the file, its device and
// the precision it trains in (resolved: never auto); where it took over a resumed run,
// `resumedAtStep`.
std::string environmentJson(const c10::Device& device, Precision precision, int threads,
                            std::optional<int64_t> resumedAtStep);

RunFileLayout makeRunFileLayout(const TrainConfig& config, const DataSplits& data, const BertCheckpoint& checkpoint,
                                const std::vector<int64_t>& exitLayers, int64_t totalSteps, const GradientProbes& probes,
                                std::string environment);

}  // namespace sweet
