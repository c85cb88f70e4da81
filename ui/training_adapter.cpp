// Training adapter: see training_adapter.h. The one ui/ file that includes training
// headers (bert_checkpoint.h pulls ATen), so it is the only slow compile in sweet_ui.
#include "ui/training_adapter.h"

#include "training/checkpoints/bert_checkpoint.h"
#include "training/models/bert_config.h"
#include "training/checkpoints/demo_checkpoint.h"
#include "training/runs/device.h"
#include "training/models/exit_classifier.h"
#include "training/resource_locator.h"
#include "training/text/task_spec.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace sweet::ui {
std::string ensureDemoCheckpointAt(const std::string& dir, const std::string& configFile) {
  return ensureDemoCheckpoint(configFile.empty() ? sweet::resourcePath("demo/config.json") : configFile, dir);
}

CheckpointSummary describeCheckpoint(const std::string& dir) {
  const BertCheckpoint c = openBertCheckpoint(dir);
  std::string text = std::to_string(c.config.num_hidden_layers) + " layers, hidden " +
                     std::to_string(c.config.hidden_size) + ", vocab " + std::to_string(c.config.vocab_size) +
                     ", weights " + c.dtype;
  requireTokenizerFiles(c.tokenizer, dir);
  return {text, c.config.num_hidden_layers};
}

int64_t demoCheckpointLayers() {
  const std::string path = sweet::resourcePath("demo/config.json");
  std::ifstream in(path);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("num_hidden_layers") || !j["num_hidden_layers"].is_number_integer())
    throw std::runtime_error(path + ": no num_hidden_layers");
  return j["num_hidden_layers"].get<int64_t>();
}

std::string checkDataFolder(const std::string& task, const std::string& dir) {
  const auto spec = glueTask(task);
  if (!spec) throw std::runtime_error("unknown task '" + task + "'");
  if (dir.empty()) throw std::runtime_error("task " + task + " needs a data folder (holding " + spec->train_file + " and " +
                                            spec->eval_file + ")");
  if (!std::filesystem::is_directory(dir)) throw std::runtime_error(dir + ": no such folder");
  for (const std::string& file : {spec->train_file, spec->eval_file}) {
    const std::string path = (std::filesystem::path(dir) / file).string();
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": missing or unreadable (the " + task + " folder of GLUE holds " +
                                      spec->train_file + " and " + spec->eval_file + ")");
  }
  return spec->train_file + ", " + spec->eval_file;
}

std::string libtorchVersion() { return sweet::libtorchVersion(); }

std::string resourceFile(const std::string& relative) { return sweet::resourcePath(relative); }

}  // namespace sweet::ui
