// Writes one run's HDF5 file (layout: docs/run-file.md) as training goes. Every dataset is
// created up front, then the file switches to SWMR (single writer, many readers) mode, so
// another process can read it at any time; each append is flushed, so a crash loses at
// most the step in flight. Torch-free: callers hand over plain float buffers.
#pragma once

#include "analysis/run_state.h"
#include "training/runs/eval_texts.h"
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sweet {

struct RunFileLayout {
  std::string config_json, environment_json;
  std::string method, task, metric, run_name;
  std::vector<std::string> label_names;
  std::vector<int64_t> exit_layers;
  int64_t num_layers = 0, seed = 0;
  double learning_rate = 0;
  int64_t total_steps = 0;
  std::vector<int64_t> train_indices, calibration_indices;
  std::vector<int64_t> eval_labels, calibration_labels;
  // The eval instances' rows in the eval file (0-based, among its examples) and their text:
  // /eval/text. Written for every run; empty vectors write an empty group.
  std::vector<int64_t> eval_indices;
  EvalTexts eval_texts;
  // Regression (STS-B): the targets are written as /eval/labels and /calibration/labels in
  // float32 instead of the int64 class ids, the task_type attribute says "regression", and
  // label_names holds one name (num_labels 1, logits [E, N, 1] are the predictions).
  bool regression = false;
  std::vector<float> eval_targets, calibration_targets;
  // Learning-to-exit heads: /train/lte_loss [steps, E], /eval/lte_scores [E, N] and
  // /calibration/lte_scores [E, C].
  bool lte = false;
  size_t evalCount() const { return regression ? eval_targets.size() : eval_labels.size(); }
  size_t calibrationCount() const { return regression ? calibration_targets.size() : calibration_labels.size(); }
  // "held_out" (calibration rows beyond train_cap) or "cross_fit" (none: two-fold
  // cross-fitting on the eval set, with eval_fold [N] saying each instance's fold).
  std::string calibration_scheme;
  std::vector<int64_t> eval_fold;
  std::string model_identity_json;  // {"name", "hash"} of the checkpoint; empty = not written
  // Gradient records (none when record_gradients is false).
  bool record_gradients = false;
  std::vector<int64_t> gradient_layers;
  std::string gradient_matrix, gradient_dtype = "float32";
  int64_t gradient_rows = 0, gradient_cols = 0, probe_size = 0;
  std::string gradient_probe = "fixed";  // fixed | train_batch
  int64_t second_probe_size = 0;         // > 0: /gradients/probe2 holds a second probe's records
  bool projected_gradients = false;      // PCGrad: /gradients/projected holds the records after surgery
};

// Room for /status_message: a fixed-size dataset, since SWMR writers cannot add objects.
inline constexpr size_t kStatusMessageBytes = 1024;

class RunFileWriter {
 public:
  // Creates (truncates) `path`. Throws std::runtime_error naming the file on failure.
  RunFileWriter(const std::string& path, const RunFileLayout& layout);
  // Resuming a run from a checkpoint taken after `steps` steps: a new file with `layout`
  // that starts with the old file's first `steps` steps and the interim evaluations and
  // gradient records taken up to then (a record at `dropped_record_step`, which the
  // resumed run takes again, left out). Built beside `path` and renamed over it once
  // complete, so the old file stays whole until then. Throws naming the file when the old
  // file is unreadable or holds fewer steps than the checkpoint.
  RunFileWriter(const std::string& path, const RunFileLayout& layout, int64_t steps, int64_t dropped_record_step);
  ~RunFileWriter();
  RunFileWriter(const RunFileWriter&) = delete;
  RunFileWriter& operator=(const RunFileWriter&) = delete;

  // One optimiser step: E per-exit losses and the learning rate used.
  // With layout.lte, lte_losses holds the E per-exit LTE losses of the step.
  void appendStep(const std::vector<float>& exit_losses, float lr, int64_t steps_done,
                  const std::vector<float>& lte_losses = {});
  // Every exit's LTE score on the eval set, row-major [E, N]; before writeEvalLogits, which
  // marks the evaluation done.
  void writeEvalLteScores(const std::vector<float>& scores);
  void writeCalibrationLteScores(const std::vector<float>& scores);
  // Per-exit logits, row-major [E, N, K]: the final evaluation.
  void writeEvalLogits(const std::vector<float>& logits);
  // An evaluation taken while training (after `step` optimiser steps), appended to
  // /eval/history so readers can draw curves of a run that has not finished.
  void appendInterimEval(int64_t step, const std::vector<float>& logits);
  void writeCalibrationLogits(const std::vector<float>& logits);
  // One gradient record: raw [G, E, rows, cols] (zeros where undefined), norms [G, E],
  // cosines [G, E, E] (NaN where undefined).
  // With a second probe, its norms [G, E] and cosines [G, E, E] of the same step; with
  // projected_gradients, those of the PCGrad-projected gradients.
  void appendGradientRecord(int64_t step, const std::vector<float>& raw, const std::vector<float>& norms,
                            const std::vector<float>& cosines, const std::vector<float>& second_norms = {},
                            const std::vector<float>& second_cosines = {},
                            const std::vector<float>& projected_norms = {},
                            const std::vector<float>& projected_cosines = {});
  // `message` says why a run stopped or failed (kept to kStatusMessageBytes); written
  // before the state, so a reader that sees "failed" also sees the reason.
  void setState(RunState state, int64_t steps_done, const std::string& message = "");
  // Ends SWMR mode and closes the file; safe to call twice. Throws, naming the file and the
  // cause, when its last changes could not reach the disk (the file keeps the ones before).
  void close();
  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

}  // namespace sweet
