// Where a run writes (<output_dir>/<run name>.h5, .model/, .resume.pt and .lock) and the rules for
// writing there: a run never replaces an earlier one's results unless asked to
// (`overwrite`), and the model folder appears whole or not at all.
#pragma once

#include <string>
#include <vector>

#include "training/checkpoints/bert_checkpoint.h"
#include "training/checkpoints/model_manifest.h"
#include "training/models/exit_classifier.h"
#include "training/models/lte_heads.h"
#include "training/runs/train_config.h"

namespace sweet {

struct RunOutputs {
  std::string run_file, model_dir, checkpoint_file;
  std::string lock_file;  // <run name>.lock: held while a process writes the others (run_lock.h)
};

RunOutputs runOutputs(const TrainConfig& config);

// Throws, naming the file, when a fresh run would replace an earlier run's run file or
// model without `overwrite`.
void checkOutputsFree(const TrainConfig& config, const RunOutputs& outputs);

// Creates the output folder (throws naming it when it cannot).
void createOutputFolder(const TrainConfig& config);

// Writes the model beside its final place, with its manifest (the files' SHA-256 and `run`,
// model_manifest.h) written last, and renames it into place, so the folder is either absent
// or complete whatever moment the process dies.
void saveModelAtomically(ExitClassifier& model, LteHeadsImpl* lte, const BertCheckpoint& checkpoint,
                         const std::vector<std::string>& labelNames, bool sharedPooler, const std::string& dir,
                         const ModelRunIdentity& run);

}  // namespace sweet
