// A run's outputs: see run_outputs.h.
#include "training/runs/run_outputs.h"

#include <filesystem>
#include <stdexcept>

#include "training/models/exit_model_factory.h"

namespace sweet {
namespace fs = std::filesystem;

RunOutputs runOutputs(const TrainConfig& c) {
  const fs::path folder(c.output_dir);
  return {c.runFilePath(), (folder / (c.resolvedRunName() + ".model")).string(), c.checkpointPath(),
          (folder / (c.resolvedRunName() + ".lock")).string()};
}

void checkOutputsFree(const TrainConfig& c, const RunOutputs& outputs) {
  if (c.overwrite) return;
  for (const std::string& path : {outputs.run_file, outputs.model_dir})
    if (fs::exists(path))
      throw std::runtime_error(path + " already exists: a run with this run_name was trained before; set a new "
                               "run_name or output_dir, or pass --overwrite to replace it");
}

void createOutputFolder(const TrainConfig& c) {
  std::error_code ec;
  fs::create_directories(c.output_dir, ec);
  if (ec) throw std::runtime_error(c.output_dir + ": cannot create output folder: " + ec.message());
}

void saveModelAtomically(ExitClassifier& model, LteHeadsImpl* lte, const BertCheckpoint& ck,
                         const std::vector<std::string>& labelNames, bool sharedPooler, const std::string& dir,
                         const ModelRunIdentity& run) {
  const std::string partial = dir + ".partial";
  fs::remove_all(partial);
  saveExitClassifier(model, ck.config, labelNames, sharedPooler, partial, ck.tokenizer);
  if (lte) saveLteHeads(*lte, (fs::path(partial) / kLteWeightsFile).string());
  writeModelManifest(partial, run);
  if (fs::exists(dir)) {
    const std::string old = dir + ".old";
    fs::remove_all(old);
    fs::rename(dir, old);
    fs::rename(partial, dir);
    fs::remove_all(old);
  } else {
    fs::rename(partial, dir);
  }
}

}  // namespace sweet
