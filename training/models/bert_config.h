// BertConfig: the fields of a Hugging Face config.json that change an encoder's
// computation, plus the early-exit fields SWEET Workbench adds when it saves a fine-tuned
// model. It describes every backbone: model_type "bert", or "deberta" / "deberta-v2" with
// DeBERTa's own fields in `deberta` (the shared ones, hidden_size and so on, stay here).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "training/models/deberta_config.h"

namespace sweet {

struct BertConfig {
  std::string model_type = "bert";  // "bert", "deberta" (v1) or "deberta-v2" (v2, v3)
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  std::string hidden_act = "gelu";  // gelu (erf), gelu_new / gelu_pytorch_tanh (tanh), relu
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  int64_t pad_token_id = 0;

  // Early-exit fields (absent from plain BERT checkpoints).
  std::vector<int64_t> exit_layers;  // 1-based, ascending; empty = plain encoder
  std::string exit_method;           // "ee", "sweet" or "mm"; empty for plain encoder
  std::string exit_pooler = "per_exit";  // or "shared" (one pooler for every exit)
  // "pooled": the model's learning-to-exit heads read each exit's pooled features (saved
  // only then); "" for models without LTE heads or whose heads read the [CLS] state.
  std::string exit_lte_input;
  int64_t num_labels = 0;
  std::vector<std::string> label_names;

  DebertaConfig deberta;  // read and written only for the DeBERTa model types

  bool isDeberta() const { return model_type != "bert"; }
  int64_t headDim() const { return hidden_size / num_attention_heads; }
  // About how many parameters an encoder of its first `layers` layers has (-1: all), with
  // embeddings and pooler; a double because a hostile config.json overflows int64.
  double parameterCount(int64_t layers = -1) const;

  // Throws std::runtime_error (prefixed with `source`) when the values are inconsistent, or
  // when the weights alone would not fit in this machine's memory (checked before anything
  // is allocated).
  void validate(const std::string& source) const;
};

// The module name of the backbone inside exit models and Hugging Face task models
// ("bert" or "deberta"), which is also the prefix of its keys in their checkpoints.
std::string backbonePrefix(const BertConfig& config);

// Reads config.json. Unknown keys are kept out of the struct but not an error: Hugging Face
// files carry many that do not matter here (architectures, transformers_version, ...).
BertConfig loadBertConfig(const std::string& path);
BertConfig bertConfigFromJson(const nlohmann::json& j, const std::string& source);
nlohmann::json bertConfigToJson(const BertConfig& config);
void saveBertConfig(const BertConfig& config, const std::string& path);

}  // namespace sweet
