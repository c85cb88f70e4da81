// Batched early-exit inference: see adaptive_inference.h.
#include "training/inference/adaptive_inference.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

#include "analysis/exit_policy.h"
#include "training/runs/autocast_scope.h"

namespace sweet {
namespace {

// Times one stage into `slot` when profiling. CUDA runs asynchronously, so the stage is
// bracketed by synchronisations; on the CPU every op has finished when it returns.
class StageTimer {
 public:
  StageTimer(InferenceProfile* profile, double InferenceProfile::*slot, const c10::Device& device)
      : profile_(profile), slot_(slot), cuda_(device.is_cuda()) {
    if (!profile_) return;
    if (cuda_) torch::cuda::synchronize();
    start_ = std::chrono::steady_clock::now();
  }
  ~StageTimer() {
    if (!profile_) return;
    if (cuda_) torch::cuda::synchronize();
    profile_->*slot_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  InferenceProfile* profile_;
  double InferenceProfile::*slot_;
  bool cuda_;
  std::chrono::steady_clock::time_point start_;
};

c10::Device deviceOf(const ModelInput& batch) { return batch.input_ids.device(); }

// Layers between exit e-1 and exit e: what one row pays for running that segment.
int64_t segmentLayers(const ExitClassifier& model, int64_t exit) {
  const auto& layers = model.exitLayers();
  const bool cascade = model.method() == "mm";
  return cascade || exit == 0 ? layers[static_cast<size_t>(exit)]
                              : layers[static_cast<size_t>(exit)] - layers[static_cast<size_t>(exit - 1)];
}

}  // namespace

void checkThreshold(double threshold, bool learned) {
  if (!(threshold > 0.0 && threshold <= 1.0))
    throw std::runtime_error("threshold " + std::to_string(threshold) + " is outside (0, 1]: " +
                             (learned ? std::string("it is a learning-to-exit score (a sigmoid output; 1 runs everyone "
                                                    "to the last exit)")
                                      : std::string("it is a max-softmax confidence (1/K sends everyone out at the "
                                                    "first exit, 1 runs everyone to the last)")));
}

double ExitTemperatures::inverse(int64_t exit, int64_t instance) const {
  if (!per_instance.empty()) return 1.0 / per_instance[static_cast<size_t>(exit * instances + instance)];
  if (!per_exit.empty()) return 1.0 / per_exit[static_cast<size_t>(exit)];
  return 1.0;
}

AdaptiveInference::AdaptiveInference(ExitClassifier& model, LteHeadsImpl* lte, Precision precision)
    : model_(model), lte_(lte), precision_(precision), exits_(static_cast<int64_t>(model.exitLayers().size())) {
  if (lte_ && static_cast<int64_t>(lte_->heads->size()) != exits_)
    throw std::invalid_argument("AdaptiveInference: " + std::to_string(lte_->heads->size()) + " LTE heads for " +
                                std::to_string(exits_) + " exits");
}

std::vector<InstanceExit> AdaptiveInference::run(const ModelInput& batch, const std::vector<int64_t>& instances,
                                                 double threshold, const ExitTemperatures& temperatures,
                                                 InferenceProfile* profile) {
  checkThreshold(threshold, learned());
  const int64_t rows = batch.input_ids.size(0);
  if (static_cast<int64_t>(instances.size()) != rows)
    throw std::invalid_argument("AdaptiveInference::run: one instance index per batch row expected");
  const c10::Device device = deviceOf(batch);
  torch::NoGradGuard no_grad;
  AutocastScope autocast(precision_, device);
  std::vector<InstanceExit> out(static_cast<size_t>(rows));
  std::vector<int64_t> running(static_cast<size_t>(rows));  // batch row of each row still in the pass
  for (int64_t r = 0; r < rows; ++r) running[static_cast<size_t>(r)] = r;
  std::vector<int64_t> keep;
  keep.reserve(static_cast<size_t>(rows));
  ExitPass pass = model_.beginPass(batch);
  for (int64_t e = 0; e < exits_ && !running.empty(); ++e) {
    const bool last = e == exits_ - 1;
    {
      StageTimer t(profile, &InferenceProfile::embeddings, device);
      model_.embedSegment(pass);
    }
    {
      StageTimer t(profile, &InferenceProfile::layers, device);
      model_.runSegment(pass);
    }
    if (profile) profile->layer_rows += static_cast<int64_t>(running.size()) * segmentLayers(model_, e);
    torch::Tensor logits, lteScores;
    {
      StageTimer t(profile, &InferenceProfile::heads, device);
      // The LTE head reads the hidden state the exit's classifier reads; MM's exitLogits
      // lets go of it, so the score comes first.
      if (lte_) lteScores = lte_->score(e, pass.hidden).to(torch::kCPU, torch::kFloat).contiguous();  // [b]
      logits = model_.exitLogits(pass);
    }
    {
      // The sync point of every exit: the decision needs the logits on the host. They are
      // read as float32, the precision the run file stores them in, and judged by the
      // replay's own function.
      StageTimer t(profile, &InferenceProfile::decisions, device);
      auto host = logits.to(torch::kCPU, torch::kFloat).contiguous();  // [b, K]
      const int64_t K = host.size(1);
      const float* z = host.data_ptr<float>();
      keep.clear();
      for (size_t i = 0; i < running.size(); ++i) {
        const int64_t row = running[i];
        const auto verdict =
            analysis::exitCertainty(z + static_cast<int64_t>(i) * K, K, temperatures.inverse(e, instances[static_cast<size_t>(row)]));
        const double score = lte_ ? static_cast<double>(lteScores.data_ptr<float>()[i]) : -1.0;
        if (analysis::leavesAt(lte_ ? score : verdict.confidence, threshold, last))
          out[static_cast<size_t>(row)] = {static_cast<int32_t>(e), verdict.prediction, verdict.confidence, score};
        else
          keep.push_back(static_cast<int64_t>(i));
      }
    }
    if (keep.empty()) break;
    if (keep.size() == running.size()) continue;  // nobody left: nothing to compact
    StageTimer t(profile, &InferenceProfile::compaction, device);
    pass.keepRows(torch::tensor(keep, torch::kLong).to(device));
    std::vector<int64_t> next;
    next.reserve(keep.size());
    for (int64_t i : keep) next.push_back(running[static_cast<size_t>(i)]);
    running.swap(next);
  }
  return out;
}

std::vector<InstanceExit> AdaptiveInference::runWithoutExiting(const ModelInput& batch,
                                                               const std::vector<int64_t>& instances,
                                                               const ExitTemperatures& temperatures,
                                                               InferenceProfile* profile) {
  const int64_t rows = batch.input_ids.size(0);
  if (static_cast<int64_t>(instances.size()) != rows)
    throw std::invalid_argument("AdaptiveInference::runWithoutExiting: one instance index per batch row expected");
  const c10::Device device = deviceOf(batch);
  torch::NoGradGuard no_grad;
  AutocastScope autocast(precision_, device);
  torch::Tensor logits;
  {
    // One stage: the baseline is timed whole (its embeddings and head are a fixed part).
    StageTimer t(profile, &InferenceProfile::layers, device);
    logits = model_.forwardLastExit(batch);
  }
  const int64_t last = exits_ - 1;
  if (profile) profile->layer_rows += rows * model_.exitLayers().back();
  StageTimer t(profile, &InferenceProfile::decisions, device);
  auto host = logits.to(torch::kCPU, torch::kFloat).contiguous();
  const int64_t K = host.size(1);
  std::vector<InstanceExit> out(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    const auto verdict = analysis::exitCertainty(host.data_ptr<float>() + r * K, K,
                                                 temperatures.inverse(last, instances[static_cast<size_t>(r)]));
    out[static_cast<size_t>(r)] = {static_cast<int32_t>(last), verdict.prediction, verdict.confidence};
  }
  return out;
}

}  // namespace sweet
