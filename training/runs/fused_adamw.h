// AdamW (Loshchilov & Hutter; PyTorch's torch.optim.AdamW update, amsgrad off) fused into
// one pass over each parameter on the CPU: it reads parameter, gradient and both moments
// once and writes them once, where the op-by-op update makes about fifteen passes. On a
// BERT-base step that is ~110M parameters x 4 arrays of memory traffic saved. Other
// devices (CUDA) run the same formula as multi-tensor (_foreach_*) ops over every
// parameter at once: about eight kernel launches per step instead of ~six per parameter
// (~1,200 launches for BERT-base with exits), which dominate a GPU step at batch 32.
#pragma once

#include <torch/types.h>

#include <vector>

namespace sweet {

struct AdamWHyper {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0;
};

class FusedAdamW {
 public:
  struct Group {
    std::vector<torch::Tensor> params;
    double weight_decay = 0.0;
  };
  FusedAdamW(std::vector<Group> groups, AdamWHyper hyper);

  void setLearningRate(double lr) { hyper_.lr = lr; }
  double learningRate() const { return hyper_.lr; }
  // Drops the gradients (set-to-none): the next backward writes them instead of adding to
  // a zero-filled buffer, saving a memset of every gradient per step.
  void zeroGrad();
  // One update; parameters without a gradient are skipped, as in PyTorch, and their step
  // count stays where it was: each parameter's bias correction counts its own updates, so
  // a part trained every other step (learning-to-exit's alternate schedule) is corrected
  // as torch.optim.AdamW corrects it.
  void step();
  int64_t steps() const { return step_; }  // calls of step()
  // Where each parameter's update runs. Auto: fused loop for contiguous fp32 CPU
  // parameters, multi-tensor ops for the rest. MultiTensor: multi-tensor ops for all, so
  // a test can check the device path against the fused one on a machine without a GPU.
  enum class Path { Auto, MultiTensor };
  void setPath(Path path) { path_ = path; }
  // The state in a fixed order (each parameter's exp_avg, exp_avg_sq and a 0-d int64
  // tensor with its update count, group by group) and the step count: all a resumed run
  // needs to continue bit for bit.
  std::vector<torch::Tensor> momentTensors() const;
  // Copies moments saved by momentTensors() back; throws when count or shapes differ.
  void restore(const std::vector<torch::Tensor>& moments, int64_t steps);

  // Each parameter's state, group by group (the tensors themselves, not copies), for an
  // update that keeps its scalars on the device (device_scalar_adamw.h: a CUDA graph
  // replays it) and the hyper-parameters it uses.
  struct ParameterState {
    torch::Tensor param, exp_avg, exp_avg_sq;
    double weight_decay = 0.0;
    int64_t updates = 0;
  };
  std::vector<ParameterState> parameterStates() const;
  const AdamWHyper& hyper() const { return hyper_; }
  // One update made that way on the parameters `updated` (indices into parameterStates()):
  // their counts and steps() move on as step() would have moved them, so a checkpoint
  // taken after it holds what it would have held.
  void countUpdate(const std::vector<size_t>& updated);

 private:
  struct State {
    torch::Tensor exp_avg, exp_avg_sq;
    int64_t updates = 0;  // steps that found a gradient on this parameter
  };
  struct MultiTensorBatch;  // the parameters of one step that take the multi-tensor path
  bool fusable(const torch::Tensor& p, const torch::Tensor& grad) const;
  void fusedUpdate(torch::Tensor& p, const torch::Tensor& grad, State& s, double decay, double stepSize,
                   double bc2Sqrt) const;
  static void multiTensorUpdate(MultiTensorBatch& batch, const AdamWHyper& hyper);

  std::vector<Group> groups_;
  std::vector<std::vector<State>> state_;
  AdamWHyper hyper_;
  int64_t step_ = 0;
  Path path_ = Path::Auto;
};

}  // namespace sweet
