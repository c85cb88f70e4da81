// The configuration of one training run: read from JSON (every key documented in
// docs/training.md, unknown keys are errors), overridable with --set key=value, and
// stored whole in the run file so a run can be repeated exactly.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sweet {

struct GradientRecorderConfig {
  int64_t every = 0;               // record every K optimiser steps; 0 = off
  std::vector<int64_t> layers;     // 1-based; empty = every exit layer but the last
  std::string matrix = "output.dense.weight";
  int64_t probe_size = 16;         // examples in the fixed probe batch
  std::string dtype = "float32";   // or float16 for the raw matrices
  // "fixed": every record on the same held-out probe batch, dropout off (the default).
  // "train_batch": each record on the next training batch, dropout on as in training
  // (the random generator is restored afterwards, so training is unchanged on CPU).
  std::string probe = "fixed";
  // > 0: also record on a second fixed probe batch of this size (the rows after the first
  // probe's), stored in /gradients/probe2 (Fig. 9: does the picture hold on other data?).
  int64_t second_probe_size = 0;
};

// Learning-to-exit (BERxiT): a score head per exit trained to predict whether the exit is
// right; its scores are stored per eval instance (/eval/lte_scores) for exiting on them.
struct LteConfig {
  bool enabled = false;
  // "joint": every step minimises every exit's loss + weight * the LTE losses.
  // "bertxit": BERxiT's alternation (Xin et al. 2021) with its one LTE head shared by all
  // exits: even steps every exit's loss + weight * the LTE losses, odd steps the last
  // exit's loss alone. "exits_then_lte": this project's own alternation, even steps the
  // exits' losses, odd steps weight * the LTE losses ("alternate" in older configs, which
  // called it BERxiT's: it is not).
  std::string schedule = "joint";
  double weight = 1.0;
  // What the heads read: "pooled" (each exit's pooled features after its pooler and
  // dropout, the classifier's input: the released code's choice) or "cls" (the exit's
  // [CLS] hidden state, as this project did before 2026-12).
  std::string input = "pooled";
  // How scores become exits in reports, the GUI and sweet infer --rule learned: "minmax"
  // (the released code's: each exit's scores min-max normalised over the eval set, 11
  // thresholds 0..1) or "raw" (the heads' outputs thresholded as they are, exact curve).
  std::string threshold_rule = "minmax";
};

struct TrainConfig {
  // Data
  std::string task = "demo";       // sst2 mrpc cola rte qnli qqp mnli stsb demo custom
  std::string data_dir;            // GLUE folder holding train.tsv and dev.tsv
  std::string train_file, eval_file;  // override data_dir's files
  std::string text_column, text_b_column, label_column;  // custom tasks
  std::vector<std::string> labels;                       // custom tasks: label names in id order
  bool skip_invalid_rows = false;
  int64_t train_cap = 6000;        // training examples, sampled with the seed
  int64_t calibration_size = 500;  // held out of the training file for temperature scaling
  int64_t eval_max_examples = 0;   // 0 = the whole eval file
  int64_t demo_train_size = 4000, demo_eval_size = 1000;

  // Model
  std::string model;               // checkpoint folder (HF layout)
  std::string method = "ee";       // ee, sweet, mm, pcgrad (EE's model, PCGrad between the exits' gradients)
  std::vector<int64_t> exit_layers;  // empty = defaults for the depth
  std::string pooler = "per_exit"; // per_exit or shared (the reference code)
  // method ee: the gradient the later exits send into the segment below each exit is
  // scaled by this (1 = EE, 0 = SWEET's cut; a partial cut between).
  double sweet_alpha = 1.0;
  // Each exit's weight in the training loss: "uniform" (every exit 1: the plain sum),
  // "layer" (proportional to the exit's layer, scaled to sum to the number of exits) or a
  // list with one weight per exit (training/runs/exit_loss_weights.h).
  nlohmann::json exit_loss_weights = "uniform";

  // Optimisation
  double learning_rate = 2e-5;
  int64_t batch_size = 16;
  int64_t micro_batch_size = 0;    // > 0: accumulate gradients over parts of this many rows (same update, less memory)
  int64_t epochs = 2;
  int64_t max_length = 256;
  double warmup_ratio = 0.0;
  double weight_decay = 0.0;
  double adam_beta1 = 0.9, adam_beta2 = 0.999, adam_eps = 1e-8;
  double max_grad_norm = 1.0;      // <= 0: no clipping
  int64_t max_steps = 0;           // > 0: stop after this many steps (smoke tests)
  int64_t seed = 42;
  std::string device = "cpu";
  // fp32, tf32, bf16, fp16 or auto (bf16 on a CUDA device that has it, else fp32); see
  // training/runs/precision.h. The resolved one is recorded in the run file.
  std::string precision = "auto";
  int64_t threads = 0;             // 0 = one per core
  int64_t eval_batch_size = 64;
  // Speed on a GPU; none changes results beyond the last bits (docs/training.md).
  // attention: "auto" (at::scaled_dot_product_attention on CUDA with libtorch >= 2.0, else
  // the explicit ops), "explicit", or "sdpa" (refused on a libtorch without it).
  std::string attention = "auto";
  // Training batches padded to a multiple of this many tokens (capped at max_length), so a
  // GPU sees repeated shapes; 0 = off (the longest row), -1 or "auto" = 8 on CUDA, off on CPU.
  int64_t pad_to_multiple_of = 0;
  // Pad and copy batch i + 1 on a CPU thread while step i runs; the same batches either way.
  bool prefetch_batches = true;
  // Capture each repeated batch shape's whole step (forward, losses, backward, clipping,
  // AdamW) as a CUDA graph and replay it (training/runs/cuda_graph_step.h): CUDA only, in
  // a build with CUDA graphs, and refused for what a replay cannot do (fp16, pcgrad,
  // alternating LTE schedules: train_config.cpp says why).
  bool cuda_graphs = false;
  // When a step's losses come to the host: "now" (at the end of the step), "late" (after
  // the next step is launched, so the host never waits for the GPU; a NaN step's update is
  // then applied before it is seen, and the run fails one step later with the same
  // message), or "auto": late on CUDA, now on the CPU. fp16 always reads now.
  std::string loss_read = "auto";
  // Evaluation rows batched by token count ("on"; outputs back in eval order, equal to
  // unsorted batches up to the last bits) or as they come ("off"); "auto": on on CUDA,
  // off on the CPU.
  std::string eval_length_buckets = "auto";
  // > 0: also evaluate every exit on the eval set every K steps while training, so curves
  // and tables of a running run can be drawn (costs one eval pass per K steps).
  int64_t eval_every = 0;
  // > 0: write a resume checkpoint (weights, optimiser, RNG, position; see
  // training_checkpoint.h) every K steps, so a killed run loses at most K steps. Each costs
  // one write of about three times the model's size (weights + both Adam moments).
  int64_t checkpoint_every = 0;

  // Output
  std::string output_dir = "runs";
  std::string run_name;            // empty = <task>-<method>-lr<lr>-s<seed>
  bool save_model = true;
  bool overwrite = false;          // replace an earlier run's file and model of the same run_name

  GradientRecorderConfig gradients;
  LteConfig lte;

  std::string resolvedRunName() const;
  std::string runFilePath() const;     // <output_dir>/<run name>.h5
  std::string checkpointPath() const;  // <output_dir>/<run name>.resume.pt, beside the run file
};

// Throws std::runtime_error naming the key and where it came from for unknown keys, wrong
// types and bad values: `source` (the config file), or "--set KEY" for a key that one of
// `overrides` (the "key=value" strings applied to `j`) set.
TrainConfig trainConfigFromJson(const nlohmann::json& j, const std::string& source,
                                const std::vector<std::string>& overrides = {});
nlohmann::json trainConfigToJson(const TrainConfig& config);
// A config file's JSON with "key=value" overrides applied, unvalidated (the keys as the
// user wrote them, for a run file or a queue); throws naming the file when it cannot be
// read or is not JSON.
nlohmann::json readConfigFile(const std::string& path, const std::vector<std::string>& overrides = {});
TrainConfig loadTrainConfig(const std::string& path);
// The keys whose values differ between two runs' configurations (trainConfigToJson), those
// that cannot change a run's results (checkpoint_every, overwrite, prefetch_batches) left
// out, and `precision` too: its resolved value is compared instead (auto and bf16 are one
// precision on a GPU, and checkpoints from before the key trained in fp32); an empty list
// means a checkpoint of one continues the other. `threads` counts: a different thread
// count changes the last bits of CPU reductions (measured: losses differ by 1e-7 from the
// 14th step of a demo run resumed with 2 threads instead of 1).
// Each entry reads "key (A in <earlier>, B now)".
std::vector<std::string> configDifferences(const std::string& earlier_config_json, const std::string& config_json,
                                           const std::string& earlier = "the checkpoint");

// Applies "key=value" (value parsed as JSON, else taken as a string; nested keys with
// dots: gradients.every=50).
void applyOverride(nlohmann::json& j, const std::string& assignment);
// Sets a possibly dotted key (gradients.every) in a config object, creating groups on the
// way; throws naming the key when a part is empty or names a value that is not a group.
void setDottedKey(nlohmann::json& j, const std::string& key, nlohmann::json value);

}  // namespace sweet
