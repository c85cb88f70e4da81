// The step's losses on their way to the host: see pending_losses.h.
#include "training/runs/pending_losses.h"

#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <thread>

namespace sweet {

PendingLosses::PendingLosses(const at::Tensor& exit, const at::Tensor& lte, const at::Tensor& foundInf, bool late)
    : exits_(static_cast<size_t>(exit.numel())), lte_(lte.defined()), foundInf_(foundInf.defined()) {
  std::vector<torch::Tensor> parts{exit.detach().to(torch::kFloat).reshape({-1})};
  if (lte_) parts.push_back(lte.detach().to(torch::kFloat).reshape({-1}));
  if (foundInf_) parts.push_back(foundInf.to(torch::kFloat).reshape({-1}));
  const torch::Tensor all = torch::cat(parts);
  if (!late || !all.is_cuda()) {
    host_ = all.to(torch::kCPU).contiguous();  // sync point on a device: the step's only one
    return;
  }
  host_ = torch::empty(all.sizes(), torch::TensorOptions().dtype(torch::kFloat).pinned_memory(true));
  host_.copy_(all, /*non_blocking=*/true);
  const c10::Stream stream = c10::impl::getDeviceGuardImpl(all.device().type())->getStream(all.device());
  copied_ = std::make_unique<c10::Event>(all.device().type());
  copied_->record(stream);
}

StepLosses PendingLosses::read() const {
  // c10::Event has no blocking wait in libtorch 1.13; the copy is normally done by now (the
  // next step was queued behind it), so a short poll costs nothing in the usual case.
  if (copied_)
    while (!copied_->query()) std::this_thread::sleep_for(std::chrono::microseconds(50));
  const float* v = host_.data_ptr<float>();
  StepLosses out;
  out.exit.assign(v, v + exits_);
  if (lte_) out.lte.assign(v + exits_, v + 2 * exits_);
  for (float x : out.exit) out.finite = out.finite && std::isfinite(x);
  out.skipped = foundInf_ && v[host_.numel() - 1] > 0;
  return out;
}

}  // namespace sweet
