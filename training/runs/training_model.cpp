// The model, heads and optimiser of a run: see training_model.h.
#include "training/runs/training_model.h"

#include <torch/torch.h>

#include "training/models/attention_kernel.h"
#include "training/models/early_exit_model.h"
#include "training/models/exit_model_factory.h"
#include "training/runs/autocast_scope.h"
#include "training/runs/exit_loss_weights.h"

namespace sweet {
namespace {

// Decoupled weight decay, not applied to biases and LayerNorm weights (as in HF's recipe).
std::unique_ptr<FusedAdamW> makeOptimizer(const TrainConfig& c, ExitClassifier& model, LteHeadsImpl* lte) {
  std::vector<torch::Tensor> decay, noDecay;
  for (const auto& p : model.named_parameters()) {
    const std::string& name = p.key();
    const bool exempt = name.find("bias") != std::string::npos || name.find("LayerNorm") != std::string::npos;
    (exempt ? noDecay : decay).push_back(p.value());
  }
  if (lte)
    for (const auto& p : lte->named_parameters()) (p.key().find("bias") != std::string::npos ? noDecay : decay).push_back(p.value());
  return std::make_unique<FusedAdamW>(std::vector<FusedAdamW::Group>{{decay, c.weight_decay}, {noDecay, 0.0}},
                                      AdamWHyper{c.learning_rate, c.adam_beta1, c.adam_beta2, c.adam_eps, c.weight_decay});
}

}  // namespace

std::unique_ptr<TrainingModel> buildTrainingModel(const TrainConfig& c, const BertCheckpoint& ck,
                                                  const std::vector<int64_t>& exitLayers, int64_t numLabels,
                                                  const c10::Device& device) {
  auto t = std::make_unique<TrainingModel>();
  t->device = device;
  t->precision = resolvePrecision(parsePrecision(c.precision), device);
  if (t->precision == Precision::Fp16) t->scaler = std::make_unique<LossScaler>(device);
  torch::manual_seed(static_cast<uint64_t>(c.seed));  // before any module is built: reproducible heads
  t->model = buildExitClassifier(ck, c.method, exitLayers, numLabels, c.pooler == "shared", &t->load_notes);
  t->attention = attentionKernelName(useAttentionKernel(*t->model, resolveAttentionKernel(c.attention, device)));
  if (auto* ee = dynamic_cast<EarlyExitModel*>(t->model.get())) ee->boundary_gradient_scale = c.sweet_alpha;
  const std::vector<double> weights = exitLossWeights(c.exit_loss_weights, exitLayers);
  if (!weights.empty()) t->exit_loss_weights = torch::tensor(weights, torch::kDouble).to(device, torch::kFloat);
  t->model->to(device);
  t->model->train();
  t->exit_hidden.resize(exitLayers.size());
  if (c.lte.enabled) {
    t->lte = LteHeads(ck.config.hidden_size, static_cast<int64_t>(exitLayers.size()),
                      /*shared=*/c.lte.schedule == "bertxit");
    t->lte->to(device);
    t->lte->train();
    t->model->lte_reads_pooled = c.lte.input == "pooled";
    auto* hidden = &t->exit_hidden;
    t->model->exit_hidden_observer = [hidden](int64_t e, const torch::Tensor& h) { (*hidden)[static_cast<size_t>(e)] = h; };
  }
  t->optimizer = makeOptimizer(c, *t->model, t->lte ? t->lte.get() : nullptr);
  return t;
}

}  // namespace sweet
