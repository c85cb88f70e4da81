// Measured speedup of real early exiting: the run's dev set through the model at several
// thresholds, each timed against the same model run without exiting (last exit only) at
// the same batch size, beside the layer-count speedup the paper's formula gives for the
// exits actually taken. The numbers go into the run file's /speed group.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/speed_record.h"
#include "training/inference/inference_session.h"

namespace sweet {

struct SpeedRequest {
  std::vector<double> thresholds;             // empty = defaultSpeedThresholds(K)
  std::vector<int64_t> batch_sizes{32, 1};
  // Passes over the dev set per threshold (and for the baseline) before timing, and timed
  // ones; the median timed pass is kept. Passes are interleaved (baseline, t1, t2, ... per
  // repeat) so load that comes and goes on a shared machine hits every threshold alike.
  int64_t warmup = 1, repeats = 3;
  int64_t max_instances = 0;                  // 0 = the whole dev set, else its first N rows
  bool calibrate = true;                      // the replay's temperatures (TemperatureUse::DevSet)
  // Early exiting re-batched (rebatching_inference.h): the rows continuing past each exit
  // are gathered into full batches. The pass without exiting is the same either way.
  bool rebatch = false;
  // Batch 1 (early exiting and the pass without it alike) replays CUDA graphs of each
  // exit's segment (cuda_graph_segments.h); stored under a name of its own (-graphs).
  bool cuda_graphs = false;
  // Exit on the model's learning-to-exit scores (thresholds are scores in (0, 1]; default
  // 0.1, 0.3, ..., 0.9, 1), as `sweet infer --rule learned` does; stored as "-learned".
  bool learned = false;
};

// 1/K, then every other value of the paper's 11-threshold sweep up to 1.
std::vector<double> defaultSpeedThresholds(int64_t numLabels);

// One measurement per batch size. Needs a session with a finished run file (its dev set,
// metric and cost model). `say` hears progress. Does not write the run file.
std::vector<analysis::SpeedMeasurement> measureSpeed(const InferenceSession& session, const SpeedRequest& request,
                                                     const std::function<void(const std::string&)>& say);

}  // namespace sweet
