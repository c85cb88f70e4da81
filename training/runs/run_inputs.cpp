// A run's inputs, opened and checked: see run_inputs.h.
#include "training/runs/run_inputs.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "training/machine_memory.h"
#include "training/models/exit_classifier.h"
#include "training/models/exit_layers_check.h"

namespace sweet {
namespace {

void checkAgainstCheckpoint(const TrainConfig& c, const BertCheckpoint& ck, const Tokenizer& tokenizer,
                            const std::vector<int64_t>& exitLayers) {
  if (c.max_length > ck.config.max_position_embeddings)
    throw std::runtime_error("max_length " + std::to_string(c.max_length) + " exceeds the checkpoint's max_position_embeddings (" +
                             std::to_string(ck.config.max_position_embeddings) + ", " + ck.dir + "/config.json)");
  if (tokenizer.vocabSize() > ck.config.vocab_size)
    throw std::runtime_error(tokenizer.source() + ": " + std::to_string(tokenizer.vocabSize()) +
                             " tokens, more than the checkpoint's vocab_size (" + std::to_string(ck.config.vocab_size) +
                             "): ids beyond it have no embedding");
  if (const std::string problem = exitLayersProblem(exitLayers, ck.config.num_hidden_layers); !problem.empty())
    throw std::runtime_error(problem);
}

// Weights, gradients and AdamW's two moments, 4 bytes each, before the model is built
// (activations come on top: the estimate is a floor). MM trains one truncated copy per exit.
void checkTrainingFitsInMemory(const TrainConfig& c, const BertConfig& config, const std::vector<int64_t>& exitLayers) {
  double parameters = 0;
  if (c.method == "mm")
    for (int64_t layers : exitLayers) parameters += config.parameterCount(layers);
  else
    parameters = config.parameterCount();
  checkFitsInMemory(parameters * 4 * 4, "training " + c.model + " (about " + std::to_string(std::llround(parameters / 1e6)) +
                                            "M parameters" + (c.method == "mm" ? " in its " + std::to_string(exitLayers.size()) + " models" : "") + ")",
                    "weights, gradients and two AdamW moments, 4 bytes each");
}

void checkDataPaths(const TrainConfig& c) {
  if (c.task == "demo") return;
  if (!c.data_dir.empty() && !std::filesystem::is_directory(c.data_dir))
    throw std::runtime_error("data_dir '" + c.data_dir + "': no such folder");
  if (c.data_dir.empty() && (c.train_file.empty() || c.eval_file.empty()))
    throw std::runtime_error("no data: set data_dir to the task's folder (or train_file and eval_file)");
}

}  // namespace

RunInputs openRunInputs(const TrainConfig& c) {
  if (c.model.empty()) throw std::runtime_error("no model: set \"model\" to a checkpoint folder");
  CheckpointWithTokenizer opened = openCheckpointWithTokenizer(c.model);
  RunInputs in{std::move(opened.checkpoint), std::move(opened.tokenizer), c.exit_layers};
  if (in.exit_layers.empty()) in.exit_layers = defaultExitLayers(in.checkpoint.config.num_hidden_layers);
  checkAgainstCheckpoint(c, in.checkpoint, *in.tokenizer, in.exit_layers);
  checkTrainingFitsInMemory(c, in.checkpoint.config, in.exit_layers);
  checkDataPaths(c);
  return in;
}

}  // namespace sweet
