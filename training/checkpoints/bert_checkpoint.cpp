// Hugging Face checkpoint folders: see bert_checkpoint.h.
#include "training/checkpoints/bert_checkpoint.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "training/checkpoints/model_manifest.h"
#include "training/models/bert_model.h"
#include "training/models/encoder_backbone.h"
#include "training/checkpoints/safetensors.h"
#include "training/checkpoints/safetensors_header.h"

namespace sweet {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void refusePickle(const fs::path& dir, const fs::path& pickle) {
  throw std::runtime_error(
      pickle.string() +
      ": PyTorch pickle checkpoints are not loaded: unpickling a file can run arbitrary code. "
      "Convert it once with Python, e.g. `python3 -c \"import torch; from safetensors.torch import "
      "save_file; sd = torch.load('" + pickle.string() + "', map_location='cpu'); "
      "save_file({k: v.contiguous() for k, v in sd.items()}, '" + (dir / "model.safetensors").string() +
      "')\"`, or save with transformers' save_pretrained(..., safe_serialization=True).");
}

}  // namespace

BertCheckpoint openBertCheckpoint(const std::string& dirName) {
  const fs::path dir(dirName);
  if (!fs::is_directory(dir)) throw std::runtime_error(dirName + ": not a checkpoint folder");
  BertCheckpoint ck;
  ck.dir = dirName;
  const fs::path configPath = dir / "config.json";
  if (!fs::exists(configPath)) throw std::runtime_error(configPath.string() + ": missing (every checkpoint folder needs config.json)");
  ck.config = loadBertConfig(configPath.string());

  const fs::path single = dir / "model.safetensors";
  const fs::path index = dir / "model.safetensors.index.json";
  if (fs::exists(single)) {
    auto contents = loadSafetensors(single.string());
    ck.tensors = std::move(contents.tensors);
    ck.weights_file = single.string();
    for (const auto& [name, dtype] : contents.dtypes)
      if (dtype == "F32" || dtype == "F16" || dtype == "BF16") ck.dtype = dtype;
  } else if (fs::exists(index)) {
    for (const std::string& shard : safetensorsIndexShards(index.string())) {
      auto contents = loadSafetensors((dir / shard).string());
      for (auto& [name, t] : contents.tensors) ck.tensors[name] = t;
      for (const auto& [name, dtype] : contents.dtypes)
        if (dtype == "F32" || dtype == "F16" || dtype == "BF16") ck.dtype = dtype;
    }
    ck.weights_file = index.string();
  } else {
    for (const char* pickle : {"pytorch_model.bin", "model.bin", "pytorch_model.bin.index.json"})
      if (fs::exists(dir / pickle)) refusePickle(dir, dir / pickle);
    throw std::runtime_error(dirName + ": no model.safetensors (or model.safetensors.index.json) in the folder");
  }

  ck.tokenizer = findTokenizerFiles(dirName);
  return ck;
}

CheckpointWithTokenizer openCheckpointWithTokenizer(const std::string& dir) {
  // A folder saved by sweet train is checked against its manifest before anything is read
  // from it; a Hugging Face folder has none and loads as it is.
  verifyModelManifest(dir);
  CheckpointWithTokenizer opened;
  opened.checkpoint = openBertCheckpoint(dir);
  opened.tokenizer = loadTokenizer(requireTokenizerFiles(opened.checkpoint.tokenizer, dir));
  return opened;
}

StateDictLoadReport loadEncoderWeights(EncoderBackbone& model, const BertCheckpoint& ck) {
  StateDictLoadOptions options;
  options.strip_prefix = backbonePrefix(ck.config) + ".";
  options.ignore_prefixes = {"classifier.", "cls.", "exits.", "qa_outputs."};
  if (ck.config.isDeberta()) {
    // Pre-training heads of the released checkpoints (MLM; v3's replaced-token detection),
    // and absolute position embeddings that position_biased_input=false leaves unused
    // (Hugging Face ignores those too).
    for (const char* p : {"lm_predictions.", "mask_predictions.", "embeddings.position_embeddings."})
      options.ignore_prefixes.emplace_back(p);
  }
  options.ignore_suffixes = {"position_ids"};
  // Checkpoints saved without a pooler (add_pooling_layer=False; every released DeBERTa)
  // still load; the pooler is initialised as Hugging Face initialises a new head, N(0, 0.02)
  // weights and zero bias (libtorch's default, uniform ±1/sqrt(H), is ~7x wider at H=768),
  // and the report says so.
  options.optional_prefixes = {"pooler."};
  StateDictLoadReport report = loadStateDict(model, ck.tensors, ck.weights_file, options);
  for (const std::string& name : report.left_initialised)
    if (name.rfind("pooler.", 0) == 0) {
      initBertWeights(model.clsPooler(), /*stddev=*/0.02);
      break;
    }
  return report;
}

void saveCheckpointFolder(const std::string& dirName, const BertConfig& config,
                          const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                          const std::string& dtype, const std::optional<TokenizerFiles>& tokenizer) {
  const fs::path dir(dirName);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dirName + ": cannot create folder: " + ec.message());
  const at::ScalarType type = safetensorsDtype(dtype);
  std::vector<std::pair<std::string, at::Tensor>> converted;
  converted.reserve(tensors.size());
  for (const auto& [name, t] : tensors)
    converted.emplace_back(name, t.is_floating_point() ? t.detach().to(torch::kCPU, type) : t.detach().cpu());
  saveSafetensors((dir / "model.safetensors").string(), converted);
  saveBertConfig(config, (dir / "config.json").string());
  // Under the names a checkpoint folder gives them (a --vocab file may be called anything).
  const auto names = tokenizer ? tokenizerFileNames(tokenizer->kind) : std::vector<std::string>{};
  for (size_t i = 0; i < names.size() && i < tokenizer->files.size(); ++i) {
    const std::string& file = tokenizer->files[i];
    const fs::path target = dir / names[i];
    if (fs::absolute(file) == fs::absolute(target)) continue;
    fs::copy_file(file, target, fs::copy_options::overwrite_existing, ec);
    if (ec) throw std::runtime_error(target.string() + ": cannot write: " + ec.message());
    // copy_file keeps the source's mode; a read-only source must not make the copy read-only.
    fs::permissions(target, fs::perms::owner_write, fs::perm_options::add, ec);
  }
  const bool do_lower_case = tokenizer ? tokenizer->do_lower_case : true;
  std::ofstream tok(dir / "tokenizer_config.json", std::ios::trunc);
  tok << nlohmann::json{{"do_lower_case", do_lower_case}, {"model_max_length", config.max_position_embeddings}}.dump(2) << "\n";
  if (!tok) throw std::runtime_error((dir / "tokenizer_config.json").string() + ": cannot write");
}

}  // namespace sweet
