// Batched early-exit inference: see adaptive_inference.h.
#include "training/inference/adaptive_inference.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

#include "analysis/exit_policy.h"
#include "training/inference/cuda_graph_segments.h"
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

// Where a pass's tensors live: its hidden state once a segment ran, else its input.
c10::Device deviceOf(const ExitPass& pass) {
  return pass.hidden.defined() ? pass.hidden.device() : pass.input.input_ids.device();
}

// Layers between exit e-1 and exit e: what one row pays for running that segment.
int64_t segmentLayers(const ExitClassifier& model, int64_t exit) {
  const auto& layers = model.exitLayers();
  const bool cascade = model.method() == "mm";
  return cascade || exit == 0 ? layers[static_cast<size_t>(exit)]
                              : layers[static_cast<size_t>(exit)] - layers[static_cast<size_t>(exit - 1)];
}

}  // namespace

std::vector<int64_t> pickRows(const std::vector<int64_t>& values, const std::vector<int64_t>& rows) {
  std::vector<int64_t> out;
  out.reserve(rows.size());
  for (int64_t r : rows) out.push_back(values[static_cast<size_t>(r)]);
  return out;
}

void checkThreshold(double threshold, bool learned) {
  // A learned threshold may be 0 (everyone leaves at the first exit): minmax's sweep starts there.
  if (!((learned ? threshold >= 0.0 : threshold > 0.0) && threshold <= 1.0))
    throw std::runtime_error("threshold " + std::to_string(threshold) + " is outside " + (learned ? "[0, 1]" : "(0, 1]") +
                             ": " +
                             (learned ? std::string("it is a learning-to-exit score (a sigmoid output, or under "
                                                    "lte.threshold_rule minmax its per-exit normalisation)")
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
  // One head per exit, or BERxiT's one head shared by every exit.
  if (lte_ && !lte_->shared && static_cast<int64_t>(lte_->heads->size()) != exits_)
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
  torch::NoGradGuard no_grad;
  std::vector<InstanceExit> out(static_cast<size_t>(rows));
  std::vector<int64_t> slots(static_cast<size_t>(rows));  // batch row of each row still in the pass
  for (int64_t r = 0; r < rows; ++r) slots[static_cast<size_t>(r)] = r;
  std::vector<int64_t> rowInstances = instances;
  ExitPass pass = model_.beginPass(batch);
  for (int64_t e = 0; e < exits_ && !slots.empty(); ++e) {
    const std::vector<int64_t> keep = advance(pass, slots, rowInstances, threshold, temperatures, out, profile);
    if (keep.empty()) break;
    if (keep.size() == slots.size()) continue;  // nobody left: nothing to compact
    compact(pass, keep, profile);
    slots = pickRows(slots, keep);
    rowInstances = pickRows(rowInstances, keep);
  }
  return out;
}

torch::Tensor AdaptiveInference::segmentDecisionInputs(ExitPass& pass, int64_t rows, InferenceProfile* profile) {
  const int64_t e = pass.next_exit;
  const c10::Device device = deviceOf(pass);
  // Per segment, not per run(): re-batching (RebatchingInference) steps segments itself.
  AutocastScope autocast(precision_, device);
  {
    StageTimer t(profile, &InferenceProfile::embeddings, device);
    model_.embedSegment(pass);
  }
  {
    StageTimer t(profile, &InferenceProfile::layers, device);
    model_.runSegment(pass);
  }
  if (profile) {
    profile->layer_rows += rows * segmentLayers(model_, e);
    ++profile->segment_runs;
  }
  StageTimer t(profile, &InferenceProfile::heads, device);
  // The LTE head reads the hidden state the exit's classifier reads; MM's exitLogits
  // lets go of it, so the score comes first. One tensor, so one copy to the host.
  torch::Tensor lteScores, features;
  if (lte_ && !model_.lte_reads_pooled) lteScores = lte_->score(e, pass.hidden);  // [b]
  torch::Tensor logits = model_.exitLogits(pass, lte_ && model_.lte_reads_pooled ? &features : nullptr);
  if (lte_ && model_.lte_reads_pooled) lteScores = lte_->score(e, features);  // [b]
  return lte_ ? torch::cat({logits.to(torch::kFloat), lteScores.to(torch::kFloat).unsqueeze(1)}, 1) : logits;
}

void AdaptiveInference::enableCudaGraphs(bool deberta) {
  const c10::Device device = model_.parameters().empty() ? c10::Device(c10::kCPU) : model_.parameters().front().device();
  graphs_ = std::make_shared<SegmentGraphs>(
      exits_, device, deberta, [this](ExitPass& pass) { return segmentDecisionInputs(pass, 1, nullptr); },
      [this](const ModelInput& input) {
        AutocastScope autocast(precision_, deviceOf(input));
        return model_.forwardLastExit(input);
      });
}

std::vector<int64_t> AdaptiveInference::advance(ExitPass& pass, const std::vector<int64_t>& slots,
                                                const std::vector<int64_t>& instances, double threshold,
                                                const ExitTemperatures& temperatures, std::vector<InstanceExit>& out,
                                                InferenceProfile* profile) {
  const int64_t e = pass.next_exit;
  const bool last = e == exits_ - 1;
  const c10::Device device = deviceOf(pass);
  const auto rows = static_cast<int64_t>(slots.size());
  torch::Tensor decisionInputs;  // [b, K] logits, then (learned exiting) the LTE score as column K
  // Graphs replay a chain that started at exit 0 with this one instance; a pass that ran a
  // segment eagerly (it began with more rows, or its length had no graph) holds its hidden
  // state in pass.hidden, which no graph reads, so it stays eager to its end.
  if (graphs_ && rows == 1 && (e == 0 || !pass.hidden.defined())) {
    // A replay is one launch for the whole segment: its time counts as the layers'.
    StageTimer t(profile, &InferenceProfile::layers, device);
    decisionInputs = graphs_->decisionInputs(pass);
    if (profile && decisionInputs.defined()) {
      profile->layer_rows += segmentLayers(model_, e);
      ++profile->segment_runs;
    }
  }
  if (!decisionInputs.defined()) decisionInputs = segmentDecisionInputs(pass, rows, profile);
  // The sync point of every exit: the decision needs the logits on the host. They are read
  // as float32, the precision the run file stores them in, and judged by the replay's own
  // function.
  StageTimer t(profile, &InferenceProfile::decisions, device);
  const torch::Tensor host = decisionInputs.to(torch::kCPU, torch::kFloat).contiguous();
  const int64_t columns = host.size(1), K = lte_ ? columns - 1 : columns;
  const float* z = host.data_ptr<float>();
  std::vector<int64_t> keep;
  keep.reserve(slots.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    const float* row = z + static_cast<int64_t>(i) * columns;
    const auto verdict = analysis::exitCertainty(row, K, temperatures.inverse(e, instances[i]));
    double score = lte_ ? static_cast<double>(row[K]) : -1.0;
    if (lte_ && lteRange_) {  // the replay's arithmetic: double, then stored as float
      const double lo = lteRange_->min[static_cast<size_t>(e)], width = lteRange_->max[static_cast<size_t>(e)] - lo;
      score = width > 0 ? static_cast<double>(static_cast<float>((row[K] - lo) / width)) : 0.0;
      // Below the eval minimum (new text, or the minimum recomputed an ulp lower): 0, so
      // t = 0 sends everyone out at the first exit as it does in the replay.
      score = std::max(score, 0.0);
    }
    if (analysis::leavesAt(lte_ ? score : verdict.confidence, threshold, last))
      out[static_cast<size_t>(slots[i])] = {static_cast<int32_t>(e), verdict.prediction, verdict.confidence, score};
    else
      keep.push_back(static_cast<int64_t>(i));
  }
  return keep;
}

void AdaptiveInference::compact(ExitPass& pass, const std::vector<int64_t>& keep, InferenceProfile* profile) {
  const c10::Device device = deviceOf(pass);
  StageTimer t(profile, &InferenceProfile::compaction, device);
  torch::Tensor rows = torch::tensor(keep, torch::kLong);
  // A plain copy to CUDA waits for the stream to drain (a second sync per exit); from pinned
  // memory with non_blocking it is queued behind the work instead.
  if (device.is_cuda()) rows = rows.pin_memory().to(device, /*non_blocking=*/true);
  pass.keepRows(rows);
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
    if (graphs_ && rows == 1) logits = graphs_->lastExitLogits(batch);
    if (!logits.defined()) logits = model_.forwardLastExit(batch);
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
