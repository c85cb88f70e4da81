// A step's losses on their way to the host. The step's one device->host copy (exit losses,
// LTE losses, fp16's found-inf flag) is read at once, or, on CUDA with `late`, started as a
// non_blocking copy into pinned memory with an event behind it and read when the trainer
// next needs the row: after it has launched the following step, so the host never waits
// for the step it just launched and the GPU never idles while the host writes a row.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Event.h>

#include <memory>
#include <vector>

namespace sweet {

struct StepLosses {
  std::vector<float> exit;  // [E] each exit's mean loss over the batch
  std::vector<float> lte;   // [E] each exit's LTE loss (LTE runs), else empty
  bool finite = true;       // false: a loss was NaN/Inf and the update was not applied
  // fp16 only: the gradients overflowed, so the update was skipped and the loss scale
  // halved, as GradScaler does; the losses are finite and the run goes on (not a failure).
  bool skipped = false;
};

class PendingLosses {
 public:
  // exit [E], lte [E] or undefined, foundInf [1] or undefined, all on one device. `late`
  // on the CPU keeps the values (already on the host) and reads them when asked.
  PendingLosses(const at::Tensor& exit, const at::Tensor& lte, const at::Tensor& foundInf, bool late);
  // Waits for the copy where it is still running (a late one), then reads it.
  StepLosses read() const;

 private:
  at::Tensor host_;  // the copy, [E (+E) (+1)] float32 on the host
  std::unique_ptr<c10::Event> copied_;  // recorded after a late copy to pinned memory
  size_t exits_ = 0;
  bool lte_ = false, foundInf_ = false;
};

}  // namespace sweet
