// GradientRecorder: measures how the exits' gradients conflict (the paper's Fig. 3). On a
// fixed probe batch that is never trained on, it takes each exit's loss gradient
// separately w.r.t. a weight matrix of chosen layers (by default the last feed-forward
// matrix, output.dense.weight, of every layer that precedes an exit), then the row-averaged
// cosine similarity for every pair of exits. It records the gradients as the method's
// routing sends them: under SWEET a later exit's gradient below an earlier exit is zero
// (cosines undefined), under a partial cut (sweet_alpha) it is scaled by alpha^k, which
// leaves cosines as they are and scales norms; MM's exits are separate models, so its
// "pairs" compare gradients of different matrices. PCGrad runs also get the gradients
// after surgery (record_projected).
//
// It does not disturb training: gradients come from torch::autograd::grad (the
// parameters' .grad and the optimiser state are untouched) and the fixed probe pass runs in
// eval mode (dropout off), so it draws nothing from the random generator either. A record
// on a training batch (recordOn) runs with dropout as in training and restores the CPU
// generator's state afterwards, so the run's own dropout masks are the same.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "training/models/exit_classifier.h"
#include "training/runs/train_config.h"

namespace sweet {

struct GradientRecord {
  int64_t step = 0;
  int64_t layers = 0, exits = 0, rows = 0, cols = 0;
  std::vector<float> raw;      // [G, E, rows, cols]; zeros where the gradient is undefined
  std::vector<float> norms;    // [G, E] Frobenius norms
  std::vector<float> cosines;  // [G, E, E] row-averaged cosine; NaN where undefined
  // PCGrad runs: the same measures of the gradients after surgery (gradient_surgery.h,
  // projected in exit order), [G, E] and [G, E, E]; empty otherwise.
  std::vector<float> projected_norms, projected_cosines;
};

class GradientRecorder {
 public:
  GradientRecorder(ExitClassifier& model, const GradientRecorderConfig& config, ModelInput probe,
                   torch::Tensor probe_labels);

  bool due(int64_t steps_done) const { return every_ > 0 && steps_done % every_ == 0; }
  // On the fixed probe batch, dropout off.
  GradientRecord record(int64_t step);
  // On any batch (a training batch), dropout as the model's mode says (train: on).
  GradientRecord recordOn(int64_t step, const ModelInput& batch, const torch::Tensor& labels, bool dropout);

  const std::vector<int64_t>& layers() const { return layers_; }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }

  // Mean over rows of cos(a[r], b[r]); NaN when either matrix is exactly zero (the
  // similarity is undefined, e.g. a later exit under SWEET). Exposed for tests.
  static float rowAveragedCosine(const torch::Tensor& a, const torch::Tensor& b);

  // PCGrad runs set this: each record also measures the projected gradients.
  bool record_projected = false;

 private:
  // [G][E] each exit's gradient of each recorded matrix (undefined where it has none).
  std::vector<std::vector<torch::Tensor>> exitGradients(const ModelInput& batch, const torch::Tensor& labels);
  GradientRecord makeRecord(int64_t step, const std::vector<std::vector<torch::Tensor>>& grads) const;

  ExitClassifier& model_;
  std::string matrix_;
  int64_t every_;
  std::vector<int64_t> layers_;
  int64_t rows_ = 0, cols_ = 0;
  ModelInput probe_;
  torch::Tensor probe_labels_;
};

}  // namespace sweet
