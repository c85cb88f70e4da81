// One training step: see train_step.h.
#include "training/runs/train_step.h"

#include <torch/torch.h>

#include <cmath>

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
    losses.push_back(torch::nn::functional::mse_loss(t.lte->score(e, t.exit_hidden[static_cast<size_t>(e)]), target));
  }
  return torch::stack(losses);
}

std::vector<float> toHost(const torch::Tensor& values) {
  auto cpu = values.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return {cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel()};
}

}  // namespace

StepLosses trainStep(TrainingModel& t, const TrainingBatch& batch, const TrainConfig& c, int64_t step, double lr,
                     bool regression) {
  t.optimizer->setLearningRate(lr);
  t.optimizer->zeroGrad();
  const bool lte = static_cast<bool>(t.lte);
  // "alternate": even steps train the exits, odd steps the LTE heads.
  const bool exitTurn = !lte || c.lte.schedule == "joint" || step % 2 == 0;
  const bool lteTurn = lte && (c.lte.schedule == "joint" || step % 2 == 1);

  // The objective is the sum of every exit's mean loss over the batch. With
  // micro_batch_size the batch runs in parts whose gradients add up to the same update
  // (each part's loss weighted by its share of the rows): activation memory of one part,
  // at the cost of smaller GEMMs.
  const int64_t rows = batch.rows();
  const int64_t partRows = c.micro_batch_size > 0 ? std::min(c.micro_batch_size, rows) : rows;
  torch::Tensor exitSum;  // [E] per-exit mean loss over the batch, detached
  torch::Tensor lteSum;   // [E] per-exit LTE loss, detached (LTE runs only)
  for (int64_t first = 0; first < rows; first += partRows) {
    const int64_t n = std::min(partRows, rows - first);
    const TrainingBatch part = batch.slice(first, n);
    std::vector<torch::Tensor> logits = t.model->forwardExits(part.input);  // E x [n, K]
    std::vector<torch::Tensor> losses;
    for (const auto& l : logits) losses.push_back(exitLoss(l, part, regression));
    const double fraction = static_cast<double>(n) / static_cast<double>(rows);
    torch::Tensor share = torch::stack(losses) * fraction;  // [E]
    torch::Tensor objective = exitTurn ? share.sum() : torch::zeros({}, share.options());
    if (lte) {
      torch::Tensor lteShare = lteLosses(t, logits, part, regression) * fraction;  // [E]
      if (lteTurn) objective = objective + c.lte.weight * lteShare.sum();
      lteSum = lteSum.defined() ? lteSum + lteShare.detach() : lteShare.detach();
    }
    objective.backward();
    exitSum = exitSum.defined() ? exitSum + share.detach() : share.detach();
  }
  if (c.max_grad_norm > 0) {
    for (auto& group : t.model->clipGroups()) torch::nn::utils::clip_grad_norm_(group, c.max_grad_norm);
    if (lte) torch::nn::utils::clip_grad_norm_(t.lte->parameters(), c.max_grad_norm);
  }

  // Sync point: the step's only device->host copies.
  StepLosses out;
  out.exit = toHost(exitSum);
  if (lte) out.lte = toHost(lteSum);
  for (float v : out.exit) out.finite = out.finite && std::isfinite(v);
  if (out.finite) t.optimizer->step();
  return out;
}

}  // namespace sweet
