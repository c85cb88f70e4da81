// Gradient probes of a run: see gradient_probes.h.
#include "training/runs/gradient_probes.h"

#include <torch/torch.h>

#include <stdexcept>

namespace sweet {

GradientProbes::Taken GradientProbes::take(int64_t step, const TrainingBatch* batch) const {
  Taken t;
  t.first = batch ? recorder->recordOn(step, batch->input, batch->labels, true) : recorder->record(step);
  if (second) t.second = recorder->recordOn(step, second->input, second->labels, false);
  return t;
}

GradientProbes makeGradientProbes(const TrainConfig& c, const DataSplits& data, const Tokenizer& tokenizer,
                                  ExitClassifier& model, const c10::Device& device) {
  GradientProbes probes;
  if (c.gradients.every <= 0) return probes;
  const bool regression = data.task.regression;
  const Split& source = data.calibration.size() == 0 ? data.eval : data.calibration;
  const auto rows = static_cast<int64_t>(source.size());
  const auto P = std::min<int64_t>(c.gradients.probe_size, rows);
  const std::vector<int64_t> order = identityOrder(rows);
  TrainingBatch probe = makeBatch(tokenizer, source, order, 0, static_cast<size_t>(P), regression, device);
  probes.recorder = std::make_unique<GradientRecorder>(model, c.gradients, probe.input, probe.labels);
  probes.recorder->record_projected = c.method == "pcgrad";
  if (c.gradients.second_probe_size > 0) {  // the rows after the first probe's
    const auto end = std::min<int64_t>(P + c.gradients.second_probe_size, rows);
    if (end <= P) throw std::runtime_error("gradients.second_probe_size: no held-out or eval rows left after the first probe");
    probes.second = makeBatch(tokenizer, source, order, static_cast<size_t>(P), static_cast<size_t>(end), regression, device);
  }
  probes.on_train_batch = c.gradients.probe == "train_batch";
  return probes;
}

}  // namespace sweet
