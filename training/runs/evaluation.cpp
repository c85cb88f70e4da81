// Scoring a run's exits: see evaluation.h.
#include "training/runs/evaluation.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>

#include "analysis/exit_scores.h"
#include "training/runs/autocast_scope.h"
#include "training/runs/training_batch.h"

namespace sweet {
namespace {

// Copies one exit's [rows, width] output for the rows order[start, start + rows) into
// out[E, N, width], each row to its place in split order.
void copyRows(const torch::Tensor& values, std::vector<float>& out, int64_t e, int64_t N,
              const std::vector<int64_t>& order, int64_t start, int64_t width) {
  auto cpu = values.to(torch::kCPU, torch::kFloat).contiguous();
  const float* v = cpu.data_ptr<float>();
  for (int64_t i = 0; i < cpu.size(0); ++i)
    std::memcpy(out.data() + (e * N + order[static_cast<size_t>(start + i)]) * width, v + i * width,
                static_cast<size_t>(width) * sizeof(float));
}

// Split order, or the rows stably sorted by token count.
std::vector<int64_t> evalOrder(const Split& split, bool byLength) {
  std::vector<int64_t> order = identityOrder(static_cast<int64_t>(split.size()));
  if (byLength)
    std::stable_sort(order.begin(), order.end(), [&split](int64_t a, int64_t b) {
      return split.encodings[static_cast<size_t>(a)].input_ids.size() < split.encodings[static_cast<size_t>(b)].input_ids.size();
    });
  return order;
}

}  // namespace

bool evalByLength(const std::string& setting, const c10::Device& device) {
  return setting == "on" || (setting == "auto" && device.is_cuda());
}

ExitOutputs exitOutputs(TrainingModel& t, const Tokenizer& tokenizer, const Split& split, int64_t batchSize,
                        int64_t K, const c10::Device& device, bool withLte, bool byLength) {
  const int64_t E = t.exits();
  const auto N = static_cast<int64_t>(split.size());
  ExitOutputs out;
  out.logits.resize(static_cast<size_t>(E * N * K));
  if (withLte) out.lte_scores.assign(static_cast<size_t>(E * N), 0.0f);
  if (N == 0) return out;
  const std::vector<int64_t> order = evalOrder(split, byLength);
  torch::NoGradGuard noGrad;
  const bool wasTraining = t.model->is_training();
  t.model->eval();
  if (withLte) t.lte->eval();
  for (int64_t start = 0; start < N; start += batchSize) {
    const int64_t end = std::min(N, start + batchSize);
    const TrainingBatch batch =
        makeBatch(tokenizer, split, order, static_cast<size_t>(start), static_cast<size_t>(end), false, device);
    AutocastScope autocast(t.precision, device);  // the run's precision; the rows are read back as fp32
    auto logits = t.model->forwardExits(batch.input);  // E x [b, K]; fills t.exit_hidden on LTE runs
    for (int64_t e = 0; e < E; ++e) {
      copyRows(logits[static_cast<size_t>(e)], out.logits, e, N, order, start, K);
      if (withLte) copyRows(t.lte->score(e, t.exit_hidden[static_cast<size_t>(e)]), out.lte_scores, e, N, order, start, 1);
    }
  }
  if (wasTraining) t.model->train();
  return out;
}

std::vector<double> evaluateExits(TrainingModel& t, const Tokenizer& tokenizer, const DataSplits& data,
                                  int64_t batchSize, int64_t K, const c10::Device& device, RunFileWriter& writer,
                                  bool byLength) {
  const bool lte = static_cast<bool>(t.lte);
  const ExitOutputs eval = exitOutputs(t, tokenizer, data.eval, batchSize, K, device, lte, byLength);
  if (lte) writer.writeEvalLteScores(eval.lte_scores);
  writer.writeEvalLogits(eval.logits);
  const ExitOutputs calibration = exitOutputs(t, tokenizer, data.calibration, batchSize, K, device, lte, byLength);
  writer.writeCalibrationLogits(calibration.logits);
  if (lte) writer.writeCalibrationLteScores(calibration.lte_scores);
  return analysis::exitScores(eval.logits, data.eval.labels, data.eval.targets, t.exits(), K, data.task.metric);
}

}  // namespace sweet
