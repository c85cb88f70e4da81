// A sweep file: the paper's grid as one object. A base training configuration and a grid
// over any configuration keys (task, method, learning_rate, seed, model, train_cap, ...),
// expanded into runs with stable, readable ids (sst2-sweet-lr3e-5-s1) that all write
// under one output folder. Torch-free: the CLI, the local and the Slurm backends and the
// tests share it. Format: docs/cluster.md.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "training/runs/train_config.h"

namespace sweet {

// Resources of one Slurm array task and the lines that go into the batch script.
struct SlurmSettings {
  std::string partition, account, qos, mem, time;  // empty = the cluster's default
  int64_t gpus = 0;                                // --gres=gpu:N; 0 = none
  int64_t cpus_per_task = 0;                       // 0 = the cluster's default
  int64_t max_parallel = 0;                        // --array=...%N; 0 = no limit
  int64_t signal_seconds = 60;                     // USR1 this long before the time limit
  std::vector<std::string> extra;                  // more #SBATCH options, e.g. "--constraint=a100"
  std::vector<std::string> setup;                  // shell lines before the run, e.g. "module load cuda"
  std::string sweet;                               // the sweet binary on the nodes; empty = this one
};

struct SweepRun {
  std::string id;       // also the run_name: <output_dir>/<id>.h5
  int64_t index = 0;    // position in the expansion: the Slurm array index
  nlohmann::json config;  // the complete training configuration
  TrainConfig train;
};

struct Sweep {
  std::string path;        // the sweep file
  std::string name;
  std::string output_dir;  // absolute
  std::vector<SweepRun> runs;
  SlurmSettings slurm;

  std::string configPath(const SweepRun& run) const;  // <output_dir>/configs/<id>.json
  std::string logPath(const SweepRun& run) const;     // <output_dir>/logs/<id>.log
};

// Reads and expands a sweep file. Relative paths (the base config file, output_dir and the
// model / data_dir / train_file / eval_file values) are taken from the sweep file's folder.
// Every run's configuration is validated as `sweet train` would; throws
// std::runtime_error naming the file and the key, the axis or the run. A grid of more than
// kMaxSweepRuns runs is refused before it is expanded unless `allowLarge`.
constexpr int64_t kMaxSweepRuns = 100000;
Sweep loadSweep(const std::string& path, bool allowLarge = false);

// As loadSweep, but hands each run to `onRun` as it is expanded and keeps none: `sweep`
// receives everything but the runs, before the first call. `sweet sweep plan` streams a
// grid this way (a 10^6-run grid took 3.2 GB when every run was kept).
void forEachSweepRun(const std::string& path, bool allowLarge, Sweep& sweep,
                     const std::function<void(const SweepRun&)>& onRun);

// The id part of one grid value: lr3e-5, s1, cap2000, the method or task itself, the
// folder name of a model path, w1-0.5-0.5-2 for a list of exit_loss_weights, or KEYVALUE
// for other keys.
std::string sweepIdPart(const std::string& key, const nlohmann::json& value);

// Writes every run's configuration to Sweep::configPath (what `sweet train` reads, locally
// and on a cluster node) and creates the output and log folders.
void writeRunConfigs(const Sweep& sweep);

}  // namespace sweet
