// Per-exit gradient recording: see gradient_recorder.h.
#include "training/runs/gradient_recorder.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <mutex>
#include <stdexcept>

#include "training/runs/gradient_surgery.h"

namespace sweet {

GradientRecorder::GradientRecorder(ExitClassifier& model, const GradientRecorderConfig& config, ModelInput probe,
                                   torch::Tensor probe_labels)
    : model_(model),
      matrix_(config.matrix),
      every_(config.every),
      layers_(config.layers),
      probe_(std::move(probe)),
      probe_labels_(std::move(probe_labels)) {
  const auto& exits = model_.exitLayers();
  if (layers_.empty()) layers_.assign(exits.begin(), exits.end() - 1);  // layers preceding a classifier
  if (layers_.empty()) throw std::runtime_error("gradient recorder: no layer to record (a single exit?)");
  // Every exit's matrix has the same shape; take it from the deepest exit, which sees all layers.
  auto w = model_.layerMatrix(static_cast<int64_t>(exits.size()) - 1, layers_.front(), matrix_);
  if (!w.defined() || w.dim() != 2)
    throw std::runtime_error("gradient recorder: '" + matrix_ + "' of layer " + std::to_string(layers_.front()) +
                             " is not a matrix");
  rows_ = w.size(0);
  cols_ = w.size(1);
}

float GradientRecorder::rowAveragedCosine(const torch::Tensor& a, const torch::Tensor& b) {
  if (!a.defined() || !b.defined()) return std::numeric_limits<float>::quiet_NaN();
  if (a.abs().max().item<float>() == 0.f || b.abs().max().item<float>() == 0.f)
    return std::numeric_limits<float>::quiet_NaN();
  // Rows that are zero in one matrix count as cosine 0 (eps), not as NaN.
  return torch::cosine_similarity(a.to(torch::kDouble), b.to(torch::kDouble), /*dim=*/1, /*eps=*/1e-12)
      .mean()
      .item<float>();
}

GradientRecord GradientRecorder::record(int64_t step) { return recordOn(step, probe_, probe_labels_, false); }

GradientRecord GradientRecorder::recordOn(int64_t step, const ModelInput& batch, const torch::Tensor& labels,
                                          bool dropout) {
  const bool wasTraining = model_.is_training();
  if (dropout) model_.train();
  else model_.eval();
  // Dropout draws from the generator of the device it runs on (CUDA's on a GPU, the CPU's
  // otherwise): put that state back so the training step that follows draws the masks it
  // would have drawn without this record.
  const c10::Device device = batch.input_ids.device();
  auto generator = at::globalContext().defaultGenerator(device);
  torch::Tensor generatorState;
  if (dropout) {
    std::lock_guard<std::mutex> lock(generator.mutex());
    generatorState = generator.get_state();
  }
  const std::vector<std::vector<torch::Tensor>> grads = exitGradients(batch, labels);
  if (dropout) {
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(generatorState);
  }
  if (wasTraining) model_.train();
  else model_.eval();
  return makeRecord(step, grads);
}

std::vector<std::vector<torch::Tensor>> GradientRecorder::exitGradients(const ModelInput& batch,
                                                                        const torch::Tensor& labels) {
  const auto E = static_cast<int64_t>(model_.exitLayers().size());
  const auto G = static_cast<int64_t>(layers_.size());
  std::vector<std::vector<torch::Tensor>> grads(static_cast<size_t>(G), std::vector<torch::Tensor>(static_cast<size_t>(E)));
  auto logits = model_.forwardExits(batch);  // E x [P, K]
  for (int64_t e = 0; e < E; ++e) {
    auto loss = torch::nn::functional::cross_entropy(logits[static_cast<size_t>(e)], labels);
    std::vector<torch::Tensor> inputs;
    std::vector<int64_t> which;
    for (int64_t g = 0; g < G; ++g) {
      auto w = model_.layerMatrix(e, layers_[static_cast<size_t>(g)], matrix_);
      if (w.defined()) {
        inputs.push_back(w);
        which.push_back(g);
      }
    }
    if (inputs.empty()) continue;
    auto out = torch::autograd::grad({loss}, inputs, /*grad_outputs=*/{}, /*retain_graph=*/e + 1 < E,
                                     /*create_graph=*/false, /*allow_unused=*/true);
    for (size_t i = 0; i < which.size(); ++i)
      if (out[i].defined()) grads[static_cast<size_t>(which[i])][static_cast<size_t>(e)] = out[i].detach().to(torch::kCPU, torch::kFloat);
  }
  return grads;
}

namespace {

// Norms [E] and row-averaged cosines [E, E] of one layer's per-exit gradients, written at
// norms[0..E) and cosines[0..E*E).
void measure(const std::vector<torch::Tensor>& grads, float* norms, float* cosines) {
  const size_t E = grads.size();
  for (size_t a = 0; a < E; ++a) {
    if (grads[a].defined()) norms[a] = grads[a].norm().item<float>();
    for (size_t b = 0; b < E; ++b) cosines[a * E + b] = GradientRecorder::rowAveragedCosine(grads[a], grads[b]);
  }
}

}  // namespace

GradientRecord GradientRecorder::makeRecord(int64_t step, const std::vector<std::vector<torch::Tensor>>& grads) const {
  GradientRecord r;
  r.step = step;
  r.layers = static_cast<int64_t>(grads.size());
  r.exits = static_cast<int64_t>(model_.exitLayers().size());
  r.rows = rows_;
  r.cols = cols_;
  const int64_t G = r.layers, E = r.exits, cell = rows_ * cols_;
  r.raw.assign(static_cast<size_t>(G * E * cell), 0.f);
  r.norms.assign(static_cast<size_t>(G * E), 0.f);
  r.cosines.assign(static_cast<size_t>(G * E * E), std::numeric_limits<float>::quiet_NaN());
  if (record_projected) {
    r.projected_norms = r.norms;
    r.projected_cosines = r.cosines;
  }
  std::vector<int64_t> exitOrder(static_cast<size_t>(E));
  for (int64_t e = 0; e < E; ++e) exitOrder[static_cast<size_t>(e)] = e;
  for (int64_t g = 0; g < G; ++g) {
    const auto& layer = grads[static_cast<size_t>(g)];
    for (int64_t a = 0; a < E; ++a)
      if (layer[static_cast<size_t>(a)].defined()) {
        auto c = layer[static_cast<size_t>(a)].contiguous();
        std::memcpy(r.raw.data() + (g * E + a) * cell, c.data_ptr<float>(), static_cast<size_t>(cell) * sizeof(float));
      }
    measure(layer, r.norms.data() + g * E, r.cosines.data() + g * E * E);
    // Training projects in a random order per step; the record in exit order (the order
    // changes only which of several conflicts is removed first).
    if (record_projected)
      measure(projectConflicts(layer, exitOrder), r.projected_norms.data() + g * E, r.projected_cosines.data() + g * E * E);
  }
  return r;
}

}  // namespace sweet
