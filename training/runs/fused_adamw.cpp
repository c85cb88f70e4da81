// Fused AdamW: see fused_adamw.h.
#include "training/runs/fused_adamw.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace sweet {

FusedAdamW::FusedAdamW(std::vector<Group> groups, AdamWHyper hyper) : groups_(std::move(groups)), hyper_(hyper) {
  for (const auto& g : groups_) {
    std::vector<State> states;
    for (const auto& p : g.params) states.push_back({torch::zeros_like(p), torch::zeros_like(p)});
    state_.push_back(std::move(states));
  }
}

std::vector<torch::Tensor> FusedAdamW::momentTensors() const {
  std::vector<torch::Tensor> out;
  for (const auto& group : state_)
    for (const auto& s : group) {
      out.push_back(s.exp_avg);
      out.push_back(s.exp_avg_sq);
      out.push_back(torch::scalar_tensor(s.updates, torch::kLong));
    }
  return out;
}

void FusedAdamW::restore(const std::vector<torch::Tensor>& moments, int64_t steps) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (auto& group : state_)
    for (auto& s : group) {
      for (torch::Tensor* t : {&s.exp_avg, &s.exp_avg_sq}) {
        if (i >= moments.size() || !moments[i].sizes().equals(t->sizes()))
          throw std::runtime_error("optimiser state does not fit this model (moment " + std::to_string(i) + ")");
        t->copy_(moments[i++]);
      }
      if (i >= moments.size() || moments[i].dim() != 0 || moments[i].scalar_type() != torch::kLong)
        throw std::runtime_error("optimiser state does not fit this model (update count " + std::to_string(i) + ")");
      s.updates = moments[i++].item<int64_t>();
    }
  if (i != moments.size()) throw std::runtime_error("optimiser state holds more moments than this model has");
  step_ = steps;
}

std::vector<FusedAdamW::ParameterState> FusedAdamW::parameterStates() const {
  std::vector<ParameterState> out;
  for (size_t gi = 0; gi < groups_.size(); ++gi)
    for (size_t pi = 0; pi < groups_[gi].params.size(); ++pi) {
      const State& s = state_[gi][pi];
      out.push_back({groups_[gi].params[pi], s.exp_avg, s.exp_avg_sq, groups_[gi].weight_decay, s.updates});
    }
  return out;
}

void FusedAdamW::countUpdate(const std::vector<size_t>& updated) {
  ++step_;
  std::vector<State*> flat;
  for (auto& group : state_)
    for (auto& s : group) flat.push_back(&s);
  for (size_t i : updated) {
    if (i >= flat.size()) throw std::out_of_range("FusedAdamW::countUpdate: parameter " + std::to_string(i));
    ++flat[i]->updates;
  }
}

void FusedAdamW::zeroGrad() {
  for (auto& g : groups_)
    for (auto& p : g.params) p.mutable_grad() = torch::Tensor();
}

// Per-parameter scalars (bias corrections differ with each parameter's update count,
// decay with its group) go in as scalar lists, so one launch of each op covers every
// parameter whatever its count: no grouping by step count is needed.
struct FusedAdamW::MultiTensorBatch {
  std::vector<torch::Tensor> params, grads, exp_avg, exp_avg_sq;
  std::vector<at::Scalar> decay, bc2Sqrt, negStepSize;
  bool empty() const { return params.empty(); }
};

bool FusedAdamW::fusable(const torch::Tensor& p, const torch::Tensor& grad) const {
  return path_ == Path::Auto && p.device().is_cpu() && p.scalar_type() == torch::kFloat && p.is_contiguous() &&
         grad.is_contiguous() && grad.scalar_type() == torch::kFloat;
}

void FusedAdamW::fusedUpdate(torch::Tensor& p, const torch::Tensor& grad, State& s, double decay, double stepSize,
                             double bc2Sqrt) const {
  float* w = p.data_ptr<float>();
  const float* g = grad.data_ptr<float>();
  float* m = s.exp_avg.data_ptr<float>();
  float* v = s.exp_avg_sq.data_ptr<float>();
  const auto fDecay = static_cast<float>(decay), fB1 = static_cast<float>(hyper_.beta1),
             fB2 = static_cast<float>(hyper_.beta2), fStep = static_cast<float>(stepSize),
             fBc2 = static_cast<float>(bc2Sqrt), fEps = static_cast<float>(hyper_.eps);
  at::parallel_for(0, p.numel(), 1 << 14, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float gi_ = g[i];
      const float mi = fB1 * m[i] + (1.f - fB1) * gi_;
      const float vi = fB2 * v[i] + (1.f - fB2) * gi_ * gi_;
      m[i] = mi;
      v[i] = vi;
      w[i] = w[i] * fDecay - fStep * mi / (std::sqrt(vi) / fBc2 + fEps);
    }
  });
}

void FusedAdamW::step() {
  torch::NoGradGuard no_grad;
  ++step_;
  const double lr = hyper_.lr, b1 = hyper_.beta1, b2 = hyper_.beta2;
  MultiTensorBatch batch;
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    const double decay = 1.0 - lr * groups_[gi].weight_decay;
    for (size_t pi = 0; pi < groups_[gi].params.size(); ++pi) {
      torch::Tensor& p = groups_[gi].params[pi];
      const torch::Tensor& grad = p.grad();
      if (!grad.defined()) continue;
      State& s = state_[gi][pi];
      ++s.updates;
      const double bc1 = 1.0 - std::pow(b1, static_cast<double>(s.updates));
      const double bc2 = 1.0 - std::pow(b2, static_cast<double>(s.updates));
      const double stepSize = lr / bc1, bc2Sqrt = std::sqrt(bc2);
      if (fusable(p, grad)) {
        fusedUpdate(p, grad, s, decay, stepSize, bc2Sqrt);
        continue;
      }
      batch.params.push_back(p);
      batch.grads.push_back(grad);
      batch.exp_avg.push_back(s.exp_avg);
      batch.exp_avg_sq.push_back(s.exp_avg_sq);
      batch.decay.emplace_back(decay);
      batch.bc2Sqrt.emplace_back(bc2Sqrt);
      batch.negStepSize.emplace_back(-stepSize);
    }
  }
  if (!batch.empty()) multiTensorUpdate(batch, hyper_);
}

// The formula the per-parameter tensor ops used, op for op, so a CPU parameter that is
// not fusable gets the same bits as before (on the CPU each _foreach_ op loops over the
// tensors calling the single-tensor op).
void FusedAdamW::multiTensorUpdate(MultiTensorBatch& b, const AdamWHyper& h) {
  at::_foreach_mul_(b.params, b.decay);
  at::_foreach_mul_(b.exp_avg, h.beta1);
  at::_foreach_add_(b.exp_avg, b.grads, 1.0 - h.beta1);
  at::_foreach_mul_(b.exp_avg_sq, h.beta2);
  at::_foreach_addcmul_(b.exp_avg_sq, b.grads, b.grads, 1.0 - h.beta2);
  std::vector<torch::Tensor> denom = at::_foreach_sqrt(b.exp_avg_sq);
  at::_foreach_div_(denom, b.bc2Sqrt);
  at::_foreach_add_(denom, h.eps);
  at::_foreach_addcdiv_(b.params, b.exp_avg, denom, b.negStepSize);
}

}  // namespace sweet
