// Resume state: see resume_state.h.
#include "training/runs/resume_state.h"

#include <torch/torch.h>

#include <filesystem>
#include <stdexcept>

#include "training/runs/fused_adamw.h"

namespace sweet {
namespace {

// The generator a run's dropout draws from on its device (CPU: the CPU generator itself).
at::Generator deviceGenerator(const c10::Device& device) { return at::globalContext().defaultGenerator(device); }

}  // namespace

void captureTensorsAndGenerators(TrainingCheckpoint& checkpoint,
                                 const std::vector<std::pair<std::string, torch::Tensor>>& named,
                                 const FusedAdamW& optimizer, const c10::Device& device) {
  for (const auto& [name, tensor] : named) checkpoint.model[name] = tensor.detach();
  checkpoint.moments = optimizer.momentTensors();
  checkpoint.cpu_rng = at::detail::getDefaultCPUGenerator().get_state();
  if (!device.is_cpu()) checkpoint.device_rng = deviceGenerator(device).get_state();
}

void restoreTensorsAndGenerators(const TrainingCheckpoint& checkpoint,
                                 const std::vector<std::pair<std::string, torch::Tensor>>& named,
                                 FusedAdamW& optimizer, const c10::Device& device, const std::string& path) {
  torch::NoGradGuard noGrad;
  for (const auto& [name, target] : named) {
    auto it = checkpoint.model.find(name);
    if (it == checkpoint.model.end() || !it->second.sizes().equals(target.sizes()))
      throw std::runtime_error(path + ": no tensor '" + name + "' of this model's shape; it was written for another model");
    target.copy_(it->second);
  }
  if (named.size() != checkpoint.model.size())
    throw std::runtime_error(path + ": holds tensors this model does not have; it was written for another model");
  optimizer.restore(checkpoint.moments, checkpoint.optimizer_steps);
  at::Generator(at::detail::getDefaultCPUGenerator()).set_state(checkpoint.cpu_rng);  // a handle on the shared generator
  if (!device.is_cpu() && checkpoint.device_rng.defined()) deviceGenerator(device).set_state(checkpoint.device_rng);
}

std::string checkpointConfigJson(const TrainConfig& c) {
  nlohmann::json j = trainConfigToJson(c);
  j["run_name"] = c.resolvedRunName();
  return j.dump();
}

std::optional<TrainingCheckpoint> checkpointToResume(const TrainConfig& c, ResumePolicy policy,
                                                     const std::function<void(const std::string&)>& say) {
  const std::string path = c.checkpointPath();
  const bool present = std::filesystem::exists(path);
  if (policy == ResumePolicy::Never || (!present && policy == ResumePolicy::IfPresent)) return std::nullopt;
  if (!present)
    throw std::runtime_error("--resume: no checkpoint at " + path + " (a run writes one every checkpoint_every steps and "
                             "when stopped by a signal)");
  TrainingCheckpoint checkpoint = loadTrainingCheckpoint(path);
  const auto differences = configDifferences(checkpoint.config_json, checkpointConfigJson(c));
  if (!differences.empty()) {
    std::string list;
    for (const auto& d : differences) list += (list.empty() ? "" : "; ") + d;
    throw std::runtime_error(path + ": this checkpoint belongs to a run with a different configuration: " + list +
                             ". Resume with the checkpoint's configuration, or pass --overwrite to start over");
  }
  if (!std::filesystem::exists(c.runFilePath()))
    throw std::runtime_error(path + ": its run file " + c.runFilePath() +
                             " is gone, so the steps before the checkpoint are lost; pass --overwrite to start over");
  say("resuming from " + path + " at step " + std::to_string(checkpoint.step));
  return checkpoint;
}

std::vector<std::pair<std::string, torch::Tensor>> namedStateTensors(TrainingModel& t) {
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& p : t.model->named_parameters()) named.emplace_back(p.key(), p.value());
  for (const auto& b : t.model->named_buffers()) named.emplace_back(b.key(), b.value());
  if (t.lte)
    for (const auto& p : t.lte->named_parameters()) named.emplace_back(p.key(), p.value());
  return named;
}

TrainingCheckpoint captureResumeState(const TrainConfig& c, TrainingModel& t, int64_t step, int64_t pendingRecord,
                                      int threads, const c10::Device& device) {
  TrainingCheckpoint checkpoint;
  checkpoint.config_json = checkpointConfigJson(c);
  checkpoint.step = step;
  checkpoint.pending_record = pendingRecord;
  checkpoint.optimizer_steps = t.optimizer->steps();
  checkpoint.threads = threads;
  checkpoint.precision = precisionName(t.precision);
  if (t.scaler) checkpoint.loss_scaler = t.scaler->state();
  captureTensorsAndGenerators(checkpoint, namedStateTensors(t), *t.optimizer, device);
  return checkpoint;
}

void checkResumePrecision(const TrainingCheckpoint& checkpoint, const TrainingModel& t, const TrainConfig& c,
                          const std::string& path) {
  const Precision trained = recordedPrecision(checkpoint.precision);
  if (trained == t.precision) return;
  throw std::runtime_error(path + ": this checkpoint's run trains in " + precisionName(trained) + ", this one would run in " +
                           precisionName(t.precision) + " (precision " + c.precision + " on " + t.device.str() +
                           "); resume with precision " + precisionName(trained) + ", or pass --overwrite to start over");
}

void restoreResumeState(TrainingCheckpoint& checkpoint, TrainingModel& t, const c10::Device& device,
                        const std::string& path) {
  restoreTensorsAndGenerators(checkpoint, namedStateTensors(t), *t.optimizer, device, path);
  if (t.scaler && !checkpoint.loss_scaler.empty()) t.scaler->restore(checkpoint.loss_scaler);
  checkpoint.model.clear();
  checkpoint.moments.clear();
}

}  // namespace sweet
