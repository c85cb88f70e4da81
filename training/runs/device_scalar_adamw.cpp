// AdamW with its scalars on the device: see device_scalar_adamw.h.
#include "training/runs/device_scalar_adamw.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <map>
#include <stdexcept>
#include <utility>

namespace sweet {
namespace {

// Each tensor times a 0-d tensor on its device: one launch on libtorch >= 2.1, a loop
// before (Debian's 1.13, where only the CPU path runs).
void multiplyAll(std::vector<torch::Tensor>& tensors, const torch::Tensor& factor) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  at::_foreach_mul_(tensors, factor);
#else
  for (auto& t : tensors) t.mul_(factor);
#endif
}

}  // namespace

DeviceScalarAdamW::DeviceScalarAdamW(FusedAdamW& host)
    : host_(host), states_(host.parameterStates()), hyper_(host.hyper()) {
  if (states_.empty()) throw std::invalid_argument("DeviceScalarAdamW: the optimiser has no parameters");
  const auto device = states_.front().param.device();
  std::vector<double> counts, decays;
  for (const auto& s : states_) {
    counts.push_back(static_cast<double>(s.updates));
    decays.push_back(s.weight_decay);
  }
  const auto options = torch::TensorOptions().dtype(torch::kDouble);
  // Copied once here, outside any capture: a graph may only read device memory.
  counts_ = torch::tensor(counts, options).to(device);
  decays_ = torch::tensor(decays, options).to(device);
  lr_ = torch::zeros({}, options.device(device));
  for (int64_t i = 0; i < counts_.size(0); ++i) countViews_.push_back(counts_.select(0, i));
}

void DeviceScalarAdamW::setLearningRate(double lr) { lr_.fill_(lr); }

// Parameters that share a decay and an update count share every scalar of the update.
std::vector<DeviceScalarAdamW::Group> DeviceScalarAdamW::groupsOf(const std::vector<size_t>& updated) const {
  const std::vector<FusedAdamW::ParameterState> now = host_.parameterStates();
  std::map<std::pair<double, int64_t>, Group> groups;
  for (size_t i : updated) {
    Group& g = groups[{now[i].weight_decay, now[i].updates}];
    g.weight_decay = now[i].weight_decay;
    g.members.push_back(i);
  }
  std::vector<Group> out;
  for (auto& entry : groups) out.push_back(std::move(entry.second));
  return out;
}

std::vector<size_t> DeviceScalarAdamW::enqueueUpdate() {
  torch::NoGradGuard no_grad;
  std::vector<size_t> updated;
  std::vector<torch::Tensor> counted;
  for (size_t i = 0; i < states_.size(); ++i)
    if (states_[i].param.grad().defined()) {
      updated.push_back(i);
      counted.push_back(countViews_[i]);
    }
  if (updated.empty()) return updated;
  at::_foreach_add_(counted, 1.0);
  const double b1 = hyper_.beta1, b2 = hyper_.beta2;
  // Every parameter's scalars at once ([P], double, as FusedAdamW computes them on the
  // host), then cast to the parameters' float for the multi-tensor ops.
  const torch::Tensor bc1 = 1.0 - torch::pow(b1, counts_);
  const torch::Tensor bc2 = 1.0 - torch::pow(b2, counts_);
  const torch::Tensor invBc2Sqrt = bc2.rsqrt().to(torch::kFloat);
  const torch::Tensor negInvStep = (-bc1 / lr_).to(torch::kFloat);  // -1 / step size
  const torch::Tensor decay = (1.0 - lr_ * decays_).to(torch::kFloat);
  for (const Group& g : groupsOf(updated)) {
    const auto first = static_cast<int64_t>(g.members.front());
    std::vector<torch::Tensor> params, grads, m, v;
    for (size_t i : g.members) {
      params.push_back(states_[i].param);
      grads.push_back(states_[i].param.grad());
      m.push_back(states_[i].exp_avg);
      v.push_back(states_[i].exp_avg_sq);
    }
    if (g.weight_decay != 0) multiplyAll(params, decay.select(0, first));
    at::_foreach_mul_(m, b1);
    at::_foreach_add_(m, grads, 1.0 - b1);
    at::_foreach_mul_(v, b2);
    at::_foreach_addcmul_(v, grads, grads, 1.0 - b2);
    // p - stepSize * m / (sqrt(v) / sqrt(bc2) + eps), written as p + m / denom with
    // denom = (sqrt(v) / sqrt(bc2) + eps) * (-1 / stepSize), all from device scalars.
    std::vector<torch::Tensor> denom = at::_foreach_sqrt(v);
    multiplyAll(denom, invBc2Sqrt.select(0, first));
    at::_foreach_add_(denom, hyper_.eps);
    multiplyAll(denom, negInvStep.select(0, first));
    at::_foreach_addcdiv_(params, m, denom);
  }
  return updated;
}

std::vector<size_t> DeviceScalarAdamW::step() {
  std::vector<size_t> updated = enqueueUpdate();
  host_.countUpdate(updated);
  return updated;
}

}  // namespace sweet
