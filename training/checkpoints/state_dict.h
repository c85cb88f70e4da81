// Matching a checkpoint's named tensors to a module's parameters and buffers by name.
// Every problem (missing keys, unexpected keys, shape mismatches) is collected and
// reported together in one error naming the file, so a user fixes a checkpoint in one go.
#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <vector>

namespace torch::nn {
class Module;
}

namespace sweet {

struct StateDictLoadOptions {
  // Prefix stripped from checkpoint keys when present (e.g. "bert." from
  // BertForSequenceClassification checkpoints).
  std::string strip_prefix;
  // Key prefixes/suffixes that are reported but not loaded (e.g. "classifier.", "cls.",
  // "position_ids" buffers of older Hugging Face checkpoints).
  std::vector<std::string> ignore_prefixes;
  std::vector<std::string> ignore_suffixes;
  // Module parameters allowed to be absent (they keep their initial values).
  std::vector<std::string> optional_prefixes;
};

struct StateDictLoadReport {
  std::vector<std::string> ignored;         // checkpoint keys deliberately not loaded
  std::vector<std::string> left_initialised;  // optional module parameters not in the file
};

// Copies tensors into `module` (converting dtype; the module keeps its own dtype/device).
// Older checkpoints' LayerNorm.gamma / LayerNorm.beta are read as weight / bias.
StateDictLoadReport loadStateDict(torch::nn::Module& module,
                                  const std::map<std::string, at::Tensor>& tensors,
                                  const std::string& file, const StateDictLoadOptions& options = {});

// Parameters then buffers, in registration order, with their checkpoint names.
std::vector<std::pair<std::string, at::Tensor>> namedState(const torch::nn::Module& module);

}  // namespace sweet
