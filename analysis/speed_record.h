// Measured wall-clock speed of real early-exit inference (`sweet infer --measure`): per
// threshold, the speedup the paper's layer-count formula predicts from the exits actually
// taken beside the speedup a clock measured against the same model run without exiting,
// at one batch size on one device. Stored in the run file's /speed group (docs/run-file.md)
// next to the replayed results, so `sweet report` can print both.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace H5 {
class H5File;
}

namespace sweet::analysis {

// Seconds of one pass over the dev set by stage (summed over batches, median repeat).
struct StageSeconds {
  double embeddings = 0, layers = 0, heads = 0, decisions = 0, compaction = 0;
};

struct SpeedPoint {
  double threshold = 0;
  double layerSpeedup = 0;        // 1 / cost fraction of the exits taken (Σ S_i·L_i / (L_M·Σ S_i))
  double measuredSpeedup = 0;     // baseline seconds / seconds
  double seconds = 0;             // one pass over the dev set, median over repeats
  double instancesPerSecond = 0;
  double score = 0;               // the run's metric on the predictions made
  std::vector<int64_t> exitCounts;  // [E] instances that left at each exit
  StageSeconds stages;            // from a separate profiled pass (profiling adds syncs)
};

struct SpeedMeasurement {
  std::string name;               // the group under /speed: "<device>-b<batch>-t<threads>[-rebatch]"
  std::string device;             // cpu, cuda, cuda:1
  int64_t batchSize = 0, threads = 0, repeats = 0, warmup = 0, instances = 0;
  bool calibrated = false;        // confidences temperature-scaled as the replay does
  bool rebatch = false;           // continuing rows re-batched into full batches per segment
  bool learned = false;           // exits decided on learning-to-exit scores (--rule learned)
  std::string metric;             // accuracy | mcc | f1
  std::string measuredAt;         // ISO 8601, UTC
  std::string libtorchVersion;
  double baselineSeconds = 0;     // the model without exiting (last exit only), median
  double baselineScore = 0;
  std::vector<SpeedPoint> points; // ascending threshold
};

// A measurement as a text table, one line per threshold: exits taken, layer-count and
// measured speedup, their ratio, instances/s, score, and where the time went.
std::string formatSpeedMeasurement(const SpeedMeasurement& m, const std::string& indent = "");

// Group name of a measurement: "cpu-b32-t2"; re-batched: "cpu-b32-t2-rebatch"; learned
// exiting: "-learned" after that, so it never replaces a confidence measurement.
std::string speedGroupName(const std::string& device, int64_t batchSize, int64_t threads, bool rebatch = false,
                           bool learned = false);

// Writes `m` to /speed/<m.name> of a closed run file, replacing an earlier measurement of
// the same name and leaving everything else as it is. Throws std::runtime_error naming
// the file when it cannot be opened for writing (e.g. a run still being written).
void writeSpeedMeasurement(const std::string& runFile, const SpeedMeasurement& m);

// Every measurement under /speed (none when the group is absent), in name order. Throws
// std::runtime_error naming the file and dataset when one is malformed.
std::vector<SpeedMeasurement> readSpeedMeasurements(const std::string& path, const H5::H5File& file);

}  // namespace sweet::analysis
