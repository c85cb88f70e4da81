// The demo's pre-training stage: see demo_pretraining.h.
#include "training/pretraining/demo_pretraining.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "training/pretraining/pretrain_run_file.h"
#include "training/runs/train_config.h"
#include "training/text/demo_task.h"

namespace sweet {
namespace fs = std::filesystem;

std::string writeDemoCorpus(const std::string& path, int64_t texts) {
  std::ofstream out(path, std::ios::trunc);
  for (const DemoExample& e : generateDemoExamples(texts, kDemoCorpusSeed)) out << e.example.text_a << "\n";
  if (!out) throw std::runtime_error(path + ": cannot write the demo corpus");
  return path;
}

namespace {

// True when the folder already holds this configuration's finished run and its model.
bool alreadyPretrained(const PretrainConfig& c) {
  if (!fs::exists(c.runFilePath()) || !fs::exists(fs::path(c.modelDir()) / "model.safetensors")) return false;
  try {
    const PretrainRunFile file = readPretrainRunFile(c.runFilePath());
    PretrainConfig earlier = pretrainConfigFromJson(nlohmann::json::parse(file.config_json), c.runFilePath());
    earlier.overwrite = c.overwrite;
    return file.state == RunState::Finished && pretrainConfigToJson(earlier) == pretrainConfigToJson(c);
  } catch (const std::exception&) {
    return false;  // unreadable or of another version: pre-train again
  }
}

}  // namespace

std::string ensurePretrainedDemoModel(const DemoPretraining& demo, const PretrainCallbacks& callbacks) {
  nlohmann::json settings = readConfigFile(demo.settings_file, demo.overrides);
  if (!settings.is_object() || !settings.contains("corpus_texts") || !settings["corpus_texts"].is_number_integer() ||
      settings["corpus_texts"].get<int64_t>() < 2)
    throw std::runtime_error(demo.settings_file + ": corpus_texts must be an integer of at least 2");
  const int64_t texts = settings["corpus_texts"].get<int64_t>();
  settings.erase("corpus_texts");
  fs::create_directories(demo.out_dir);
  settings["model"] = demo.scratch_model;
  settings["corpus"] = (fs::path(demo.out_dir) / "demo-corpus.txt").string();
  settings["output_dir"] = demo.out_dir;
  settings["device"] = demo.device;
  PretrainConfig config = pretrainConfigFromJson(settings, demo.settings_file, demo.overrides);
  config.overwrite = true;  // a stale or different earlier pre-training is replaced
  if (alreadyPretrained(config)) {
    if (callbacks.on_message) callbacks.on_message("reusing the pre-trained model in " + config.modelDir());
    return config.modelDir();
  }
  writeDemoCorpus(config.corpus, texts);
  const PretrainResult r = runPretraining(config, callbacks);
  if (r.outcome != RunState::Finished) throw std::runtime_error(r.run_file + ": pre-training " + r.message);
  if (callbacks.on_message) {
    char line[160];
    std::snprintf(line, sizeof line, "pre-trained in %lld steps: held-out MLM loss %.3f -> %.3f, accuracy %.3f -> %.3f",
                  static_cast<long long>(r.steps), r.eval_loss_before, r.eval_loss, r.eval_accuracy_before, r.eval_accuracy);
    callbacks.on_message(line);
  }
  return r.model_dir;
}

}  // namespace sweet
