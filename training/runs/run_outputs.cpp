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

namespace {

// std::filesystem's own exception reads "filesystem error: cannot rename: ..."; ours names
// what was being done to which file.
void check(const std::error_code& ec, const std::string& path, const std::string& what) {
  if (ec) throw std::runtime_error(path + ": cannot " + what + ": " + ec.message());
}

}  // namespace

void saveModelAtomically(ExitClassifier& model, LteHeadsImpl* lte, const BertCheckpoint& ck,
                         const std::vector<std::string>& labelNames, bool sharedPooler, const std::string& dir,
                         const ModelRunIdentity& run) {
  const std::string partial = dir + ".partial";
  std::error_code ec;
  fs::remove_all(partial, ec);
  check(ec, partial, "remove a leftover");
  try {
    saveExitClassifier(model, ck.config, labelNames, sharedPooler, partial, ck.tokenizer);
    if (lte) saveLteHeads(*lte, (fs::path(partial) / kLteWeightsFile).string());
    writeModelManifest(partial, run);
  } catch (const std::exception&) {
    // A full disk or a read-only folder: no half-written model is left, an earlier one stays.
    fs::remove_all(partial, ec);
    throw;
  }
  if (fs::exists(dir)) {
    const std::string old = dir + ".old";
    fs::remove_all(old, ec);
    check(ec, old, "remove a leftover");
    fs::rename(dir, old, ec);
    check(ec, dir, "move the earlier model aside");
    fs::rename(partial, dir, ec);
    check(ec, dir, "move the new model into place");
    fs::remove_all(old, ec);
  } else {
    fs::rename(partial, dir, ec);
    check(ec, dir, "move the new model into place");
  }
}

}  // namespace sweet
