// One training step: see train_step.h.
#include "training/runs/train_step.h"

#include <torch/torch.h>

#include <cmath>
#include <optional>

#include "training/runs/autocast_scope.h"
#include "training/runs/gradient_clipping.h"
#include "training/runs/gradient_surgery.h"

namespace sweet {
namespace {

// One exit's training loss: cross-entropy on class ids, or for regression (logits [n, 1])
// the mean squared error against the float targets, as HF's num_labels = 1 heads do.
torch::Tensor exitLoss(const torch::Tensor& logits, const TrainingBatch& part, bool regression) {
  if (regression) return torch::nn::functional::mse_loss(logits.squeeze(-1), part.targets);
  return torch::nn::functional::cross_entropy(logits, part.labels);
}

// Squared error of each exit's score against whether that exit was right (its output
// detached: the LTE term never moves the exit's own prediction head). [E]
torch::Tensor lteLosses(TrainingModel& t, const std::vector<torch::Tensor>& logits, const TrainingBatch& part,
                        bool regression) {
  std::vector<torch::Tensor> losses;
  for (int64_t e = 0; e < t.exits(); ++e) {
    torch::Tensor target = lteTarget(logits[static_cast<size_t>(e)], part.labels, part.targets, regression);
    torch::Tensor score = t.lte->score(e, t.exit_hidden[static_cast<size_t>(e)]).to(torch::kFloat);
    losses.push_back(torch::nn::functional::mse_loss(score, target));
  }
  return torch::stack(losses);
}

// What one step minimises under lte.schedule (train_config.h): every exit's loss, the last
// exit's alone, or none; and whether the LTE term joins.
struct StepObjective {
  bool allExits = true, lastExitOnly = false, lte = false;
};

StepObjective stepObjective(const std::string& schedule, bool hasLte, int64_t step) {
  if (!hasLte || schedule == "joint") return {true, false, hasLte};
  const bool even = step % 2 == 0;
  if (schedule == "bertxit") return {even, !even, even};
  return {even, false, !even};  // exits_then_lte (and its old name, alternate)
}

struct PartLosses {
  torch::Tensor exit;  // [E] each exit's mean loss over the part
  // The last exit's loss alone, as computed (not an element of `exit`: a backward through
  // the stack would hand every other exit a zero gradient, and AdamW moves a parameter
  // with a zero gradient, where it leaves one without any).
  torch::Tensor lastExit;
  torch::Tensor lte;   // [E] each exit's LTE loss; undefined unless the run has LTE heads
  std::vector<torch::Tensor> each;  // E x [] each exit's loss on its own (PCGrad's backward per exit)
};

// One part's forward pass and losses, under the run's autocast (bf16, fp16; nothing for
// fp32). The losses are fp32 whatever the matmuls ran in: the logits are cast up before
// the softmax, whose small differences between classes are what the gradient is made of.
// (For fp32 logits the cast is the tensor itself: the fp32 step is unchanged.)
PartLosses partLosses(TrainingModel& t, const TrainingBatch& part, bool regression) {
  AutocastScope autocast(t.precision, t.device);
  std::vector<torch::Tensor> logits = t.model->forwardExits(part.input);  // E x [n, K]
  for (auto& l : logits) l = l.to(torch::kFloat);
  std::vector<torch::Tensor> losses;
  for (const auto& l : logits) losses.push_back(exitLoss(l, part, regression));
  PartLosses out{torch::stack(losses), losses.back(), {}, losses};
  if (t.lte) out.lte = lteLosses(t, logits, part, regression);
  return out;
}

// The exits' losses weighted as exit_loss_weights says (uniform: left as they are, so the
// plain sum is computed exactly as before the key existed).
torch::Tensor weightedLosses(const TrainingModel& t, const torch::Tensor& losses) {
  return t.exit_loss_weights.defined() ? losses * t.exit_loss_weights : losses;
}

// PCGrad: each exit's share of the objective on its own, as its backward pass sees it.
std::vector<torch::Tensor> exitObjectives(const TrainingModel& t, const std::vector<torch::Tensor>& losses,
                                          double fraction) {
  std::vector<torch::Tensor> out;
  for (size_t e = 0; e < losses.size(); ++e) {
    torch::Tensor share = losses[e] * fraction;
    if (t.exit_loss_weights.defined()) share = share * t.exit_loss_weights[static_cast<int64_t>(e)];
    out.push_back(t.scaler ? t.scaler->scale(share) : share);
  }
  return out;
}

std::vector<torch::Tensor> trainedParameters(TrainingModel& t) {
  std::vector<torch::Tensor> all = t.model->parameters();
  if (t.lte)
    for (const auto& p : t.lte->parameters()) all.push_back(p);
  return all;
}

}  // namespace

void clipStepGradients(TrainingModel& t, double maxNorm) {
  for (auto& group : t.model->clipGroups()) clipGradientNorm(group, maxNorm, t.device);
  if (t.lte) clipGradientNorm(t.lte->parameters(), maxNorm, t.device);
}

bool lateLossRead(const TrainConfig& c, const TrainingModel& t) {
  if (t.scaler || c.loss_read == "now") return false;
  return c.loss_read == "late" || t.device.is_cuda();
}

StepLossTensors backwardStep(TrainingModel& t, const TrainingBatch& batch, const TrainConfig& c, int64_t step,
                             bool regression) {
  const bool lte = static_cast<bool>(t.lte);
  const StepObjective goal = stepObjective(c.lte.schedule, lte, step);

  // The objective is the sum of every exit's mean loss over the batch (each weighted by
  // exit_loss_weights when it is not uniform). With
  // micro_batch_size the batch runs in parts whose gradients add up to the same update
  // (each part's loss weighted by its share of the rows): activation memory of one part,
  // at the cost of smaller GEMMs.
  const int64_t rows = batch.rows();
  const int64_t partRows = c.micro_batch_size > 0 ? std::min(c.micro_batch_size, rows) : rows;
  torch::Tensor exitSum;  // [E] per-exit mean loss over the batch, detached
  torch::Tensor lteSum;   // [E] per-exit LTE loss, detached (LTE runs only)
  // PCGrad keeps each exit's gradient apart (E backward passes) and sums them projected.
  std::optional<ExitGradients> perExit;
  if (c.method == "pcgrad") perExit.emplace(trainedParameters(t), t.exits());
  for (int64_t first = 0; first < rows; first += partRows) {
    const int64_t n = std::min(partRows, rows - first);
    const PartLosses losses = partLosses(t, batch.slice(first, n), regression);
    const double fraction = static_cast<double>(n) / static_cast<double>(rows);
    torch::Tensor share = losses.exit * fraction;  // [E]
    exitSum = exitSum.defined() ? exitSum + share.detach() : share.detach();
    if (perExit) {
      perExit->add(exitObjectives(t, losses.each, fraction));
      continue;
    }
    torch::Tensor objective = goal.allExits       ? weightedLosses(t, share).sum()
                              : goal.lastExitOnly ? losses.lastExit * fraction
                                                  : torch::zeros({}, share.options());
    if (lte) {
      torch::Tensor lteShare = losses.lte * fraction;  // [E]
      if (goal.lte) objective = objective + c.lte.weight * lteShare.sum();
      lteSum = lteSum.defined() ? lteSum + lteShare.detach() : lteShare.detach();
    }
    (t.scaler ? t.scaler->scale(objective) : objective).backward();
  }
  if (perExit) perExit->writeProjectedSum(projectionOrder(t.exits()));
  return {exitSum, lteSum};
}

StepLosses trainStep(TrainingModel& t, const TrainingBatch& batch, const TrainConfig& c, int64_t step, double lr,
                     bool regression) {
  return launchTrainStep(t, batch, c, step, lr, regression, false).read();
}

PendingLosses launchTrainStep(TrainingModel& t, const TrainingBatch& batch, const TrainConfig& c, int64_t step,
                              double lr, bool regression, bool late) {
  t.optimizer->setLearningRate(lr);
  t.optimizer->zeroGrad();
  const StepLossTensors losses = backwardStep(t, batch, c, step, regression);
  // fp16: the gradients back to their true size before they are clipped.
  const torch::Tensor foundInf = t.scaler ? t.scaler->unscale(trainedParameters(t)) : torch::Tensor();
  if (c.max_grad_norm > 0) clipStepGradients(t, c.max_grad_norm);

  // Sync point unless late: the step's only device->host copy.
  const bool readLate = late && !t.scaler;
  PendingLosses pending(losses.exit, losses.lte, foundInf, readLate);
  if (readLate) {
    t.optimizer->step();
    return pending;
  }
  const StepLosses out = pending.read();
  if (out.finite && !out.skipped) t.optimizer->step();
  if (t.scaler) t.scaler->update(foundInf);
  return pending;
}

}  // namespace sweet
