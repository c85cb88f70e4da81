// The run file's layout: see run_file_layout.h.
#include "training/runs/run_file_layout.h"

#include <unistd.h>

#include <H5Cpp.h>
#include <ctime>

#include "analysis/local_host.h"
#include "training/build_info.h"
#include "training/checkpoints/checkpoint_identity.h"
#include "training/runs/device.h"

namespace sweet {

std::string environmentJson(const c10::Device& device, Precision precision, int threads,
                            std::optional<int64_t> resumedAtStep, const std::optional<StepKernels>& kernels) {
  char when[32];
  std::time_t now = std::time(nullptr);
  std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  nlohmann::json environment{{"sweet_version", sweetVersion()},
                             {"git_commit", sweetGitCommit()},
                             {"libtorch_version", libtorchVersion()},
                             {"hdf5_version", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release)},
                             {"device", device.str()},
                             {"precision", precisionName(precision)},
                             {"threads", threads},
                             {"hostname", analysis::localHostName()},
                             {"pid", static_cast<int64_t>(getpid())},
                             {"started_at", when}};
  if (kernels) {
    environment["attention"] = kernels->attention;
    environment["pad_to_multiple_of"] = kernels->pad_to_multiple_of;
  }
  if (resumedAtStep) environment["resumed_at_step"] = *resumedAtStep;
  return environment.dump();
}

RunFileLayout makeRunFileLayout(const TrainConfig& c, const DataSplits& data, const BertCheckpoint& ck,
                                const std::vector<int64_t>& exitLayers, int64_t totalSteps, const GradientProbes& probes,
                                std::string environment) {
  RunFileLayout layout;
  layout.config_json = trainConfigToJson(c).dump();
  layout.environment_json = std::move(environment);
  layout.method = c.method;
  layout.task = data.task.name;
  layout.metric = data.task.metric;
  layout.run_name = c.resolvedRunName();
  layout.label_names = data.task.label_names;
  layout.exit_layers = exitLayers;
  layout.num_layers = ck.config.num_hidden_layers;  // L_M of the backbone, whatever the exits
  layout.calibration_scheme = data.calibration_scheme;
  layout.eval_fold = data.eval_fold;
  layout.model_identity_json = checkpointIdentity(ck.dir.empty() ? c.model : ck.dir, ck.weights_file).dump();
  layout.seed = c.seed;
  layout.learning_rate = c.learning_rate;
  layout.total_steps = totalSteps;
  layout.train_indices = data.train.source_rows;
  layout.calibration_indices = data.calibration.source_rows;
  layout.eval_labels = data.eval.labels;
  layout.eval_indices = data.eval.source_rows;
  layout.eval_texts = data.eval_texts;
  layout.calibration_labels = data.calibration.labels;
  layout.lte = c.lte.enabled;
  if (data.task.regression) {
    layout.regression = true;
    layout.eval_targets = data.eval.targets;
    layout.calibration_targets = data.calibration.targets;
  }
  if (const GradientRecorder* recorder = probes.recorder.get()) {
    layout.record_gradients = true;
    layout.gradient_layers = recorder->layers();
    layout.gradient_matrix = c.gradients.matrix;
    layout.gradient_dtype = c.gradients.dtype;
    layout.gradient_rows = recorder->rows();
    layout.gradient_cols = recorder->cols();
    layout.probe_size = c.gradients.probe_size;
    layout.gradient_probe = c.gradients.probe;
    layout.projected_gradients = recorder->record_projected;
    layout.second_probe_size = probes.secondProbeRows();
  }
  return layout;
}

}  // namespace sweet
