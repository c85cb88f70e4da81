// Pre-training configuration <-> JSON: see pretrain_config.h.
#include "training/pretraining/pretrain_config.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "training/runs/config_keys.h"

namespace sweet {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PretrainConfig, model, corpus, column, max_length, batch_size, epochs,
                                                max_steps, learning_rate, warmup_ratio, weight_decay, max_grad_norm,
                                                mask_probability, eval_fraction, eval_every, checkpoint_every, seed, threads, device, output_dir,
                                                run_name, overwrite)

namespace {

void validate(const PretrainConfig& c, const ConfigSources& from) {
  auto check = [&](bool ok, const std::string& key, const std::string& what) {
    if (!ok) throw std::runtime_error(from.of(key) + ": " + key + " " + what);
  };
  check(!c.model.empty(), "model", "must name a checkpoint folder");
  check(!c.corpus.empty(), "corpus", "must name a text file (one text per line) or a TSV file with column");
  check(c.max_length >= 4, "max_length", "must be at least 4");
  check(c.batch_size > 0, "batch_size", "must be positive");
  check(c.epochs > 0, "epochs", "must be positive");
  check(c.max_steps >= 0, "max_steps", "must not be negative (0 = no limit)");
  check(c.learning_rate > 0 && std::isfinite(c.learning_rate), "learning_rate", "must be positive");
  check(c.warmup_ratio >= 0 && c.warmup_ratio < 1, "warmup_ratio", "must be in [0, 1)");
  check(c.weight_decay >= 0 && std::isfinite(c.weight_decay), "weight_decay", "must not be negative");
  check(std::isfinite(c.max_grad_norm), "max_grad_norm", "must be finite (<= 0 turns clipping off)");
  check(c.mask_probability > 0 && c.mask_probability < 1, "mask_probability", "must be in (0, 1)");
  check(c.eval_fraction > 0 && c.eval_fraction < 1, "eval_fraction", "must be in (0, 1)");
  check(c.eval_every >= 0, "eval_every", "must not be negative (0 = before and after training only)");
  check(c.checkpoint_every >= 0, "checkpoint_every", "must not be negative (0 = only when a signal stops the run)");
  check(c.threads >= 0, "threads", "must not be negative (0 = one per core)");
  check(isPlainFileName(c.run_name), "run_name", "must be a plain file name inside output_dir (no '/', '\\'; not '.' or '..')");
}

}  // namespace

std::string PretrainConfig::resolvedRunName() const {
  return run_name.empty() ? "pretrain-s" + std::to_string(seed) : run_name;
}
std::string PretrainConfig::runFilePath() const {
  return (std::filesystem::path(output_dir) / (resolvedRunName() + ".h5")).string();
}
std::string PretrainConfig::modelDir() const { return (std::filesystem::path(output_dir) / resolvedRunName()).string(); }
std::string PretrainConfig::lockPath() const {
  return (std::filesystem::path(output_dir) / (resolvedRunName() + ".lock")).string();
}

std::string PretrainConfig::checkpointPath() const {
  return (std::filesystem::path(output_dir) / (resolvedRunName() + ".resume.pt")).string();
}

PretrainConfig pretrainConfigFromJson(const nlohmann::json& j, const std::string& source,
                                      const std::vector<std::string>& overrides) {
  ConfigSources from{source, {}};
  for (const std::string& o : overrides) from.overridden.insert(o.substr(0, o.find('=')));
  checkConfigKeys(j, nlohmann::json(PretrainConfig{}), from);
  PretrainConfig c;
  try {
    c = j.get<PretrainConfig>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(source + ": " + e.what());
  }
  validate(c, from);
  return c;
}

nlohmann::json pretrainConfigToJson(const PretrainConfig& c) { return nlohmann::json(c); }

}  // namespace sweet
