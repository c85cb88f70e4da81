// Name-based state loading: see state_dict.h.
#include "training/checkpoints/state_dict.h"

#include <torch/torch.h>

#include <set>
#include <sstream>
#include <stdexcept>

namespace sweet {
namespace {

bool startsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool endsWith(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

std::string normaliseKey(std::string key, const StateDictLoadOptions& options) {
  if (!options.strip_prefix.empty() && startsWith(key, options.strip_prefix))
    key = key.substr(options.strip_prefix.size());
  if (endsWith(key, "LayerNorm.gamma")) key = key.substr(0, key.size() - 5) + "weight";
  if (endsWith(key, "LayerNorm.beta")) key = key.substr(0, key.size() - 4) + "bias";
  return key;
}

std::string shapeText(at::IntArrayRef sizes) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < sizes.size(); ++i) s << (i ? ", " : "") << sizes[i];
  s << "]";
  return s.str();
}

}  // namespace

std::vector<std::pair<std::string, at::Tensor>> namedState(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& item : module.named_parameters(true)) out.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers(true)) out.emplace_back(item.key(), item.value());
  return out;
}

StateDictLoadReport loadStateDict(torch::nn::Module& module,
                                  const std::map<std::string, at::Tensor>& tensors,
                                  const std::string& file, const StateDictLoadOptions& options) {
  StateDictLoadReport report;
  std::map<std::string, at::Tensor> targets;
  for (auto& [name, t] : namedState(module)) targets[name] = t;

  std::vector<std::string> unexpected, mismatched;
  std::set<std::string> mismatchedTargets;  // present but wrong shape: not also "missing"
  std::map<std::string, std::pair<std::string, at::Tensor>> sources;  // target -> (file key, tensor)
  for (const auto& [rawKey, tensor] : tensors) {
    bool ignore = false;
    std::string key = normaliseKey(rawKey, options);
    for (const auto& p : options.ignore_prefixes) ignore |= startsWith(key, p);
    for (const auto& s : options.ignore_suffixes) ignore |= endsWith(key, s);
    if (ignore && !targets.count(key)) {
      report.ignored.push_back(rawKey);
      continue;
    }
    auto it = targets.find(key);
    if (it == targets.end()) {
      unexpected.push_back(rawKey);
      continue;
    }
    if (it->second.sizes() != tensor.sizes()) {
      mismatched.push_back(rawKey + " is " + shapeText(tensor.sizes()) + " in the file but the model expects " +
                           shapeText(it->second.sizes()));
      mismatchedTargets.insert(key);
      continue;
    }
    sources[key] = {rawKey, tensor};
  }
  std::vector<std::string> missing;
  for (const auto& [name, t] : targets) {
    if (sources.count(name) || mismatchedTargets.count(name)) continue;
    bool optional = false;
    for (const auto& p : options.optional_prefixes) optional |= startsWith(name, p);
    if (optional)
      report.left_initialised.push_back(name);
    else
      missing.push_back(name);
  }
  if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
    std::ostringstream msg;
    msg << file << ": checkpoint does not fit the model (config.json and weights disagree?)";
    auto list = [&](const char* what, const std::vector<std::string>& keys) {
      if (keys.empty()) return;
      msg << "\n  " << what << " (" << keys.size() << "):";
      for (size_t i = 0; i < keys.size() && i < 20; ++i) msg << "\n    " << keys[i];
      if (keys.size() > 20) msg << "\n    ... and " << keys.size() - 20 << " more";
    };
    list("missing keys", missing);
    list("unexpected keys", unexpected);
    list("shape mismatches", mismatched);
    throw std::runtime_error(msg.str());
  }
  torch::NoGradGuard no_grad;
  for (auto& [name, src] : sources) {
    at::Tensor& target = targets[name];
    target.copy_(src.second.to(target.scalar_type()));
  }
  return report;
}

}  // namespace sweet
