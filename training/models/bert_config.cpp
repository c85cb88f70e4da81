// BertConfig <-> config.json: see bert_config.h.
#include "training/models/bert_config.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <type_traits>

#include "training/machine_memory.h"
#include "training/models/config_field.h"

namespace sweet {
namespace {

std::string countText(double n) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", n);
  return text;
}

}  // namespace

void BertConfig::validate(const std::string& source) const {
  auto fail = [&](const std::string& what) { throw std::runtime_error(source + ": " + what); };
  if (vocab_size <= 0) fail("vocab_size must be positive");
  if (hidden_size <= 0) fail("hidden_size must be positive");
  if (num_hidden_layers <= 0) fail("num_hidden_layers must be positive");
  if (num_attention_heads <= 0 || hidden_size % num_attention_heads != 0)
    fail("hidden_size (" + std::to_string(hidden_size) +
         ") is not a multiple of num_attention_heads (" + std::to_string(num_attention_heads) + ")");
  if (intermediate_size <= 0) fail("intermediate_size must be positive");
  if (hidden_act != "gelu" && hidden_act != "gelu_new" && hidden_act != "gelu_pytorch_tanh" &&
      hidden_act != "relu")
    fail("hidden_act '" + hidden_act + "' is not supported (gelu, gelu_new, relu)");
  if (max_position_embeddings <= 0) fail("max_position_embeddings must be positive");
  if (type_vocab_size < 0) fail("type_vocab_size must not be negative");
  if (isDeberta()) validateDeberta(deberta, hidden_size, source);
  if (exit_pooler != "per_exit" && exit_pooler != "shared") fail("sweet.pooler must be per_exit or shared");
  int64_t previous = 0;
  for (int64_t layer : exit_layers) {
    if (layer <= previous || layer > num_hidden_layers)
      fail("exit layers must be ascending and within 1.." + std::to_string(num_hidden_layers));
    previous = layer;
  }
  checkFitsInMemory(parameterCount() * 4, source + ": a model of about " + countText(parameterCount()) + " parameters",
                    "4 bytes each for the weights alone");
}

double BertConfig::parameterCount(int64_t layers) const {
  const auto h = static_cast<double>(hidden_size), i = static_cast<double>(intermediate_size);
  const double embeddings = static_cast<double>(vocab_size + max_position_embeddings + type_vocab_size) * h + 2 * h;
  // Q, K, V and output projections, two layer norms, the feed-forward pair.
  const double layer = 4 * (h * h + h) + 4 * h + 2 * h * i + i + h;
  const double pooler = h * h + h;
  return embeddings + static_cast<double>(layers < 0 ? num_hidden_layers : layers) * layer + pooler;
}

BertConfig bertConfigFromJson(const nlohmann::json& j, const std::string& source) {
  BertConfig c;
  try {
    if (j.contains("model_type")) {
      auto type = j["model_type"].get<std::string>();
      if (type != "bert" && type != "deberta" && type != "deberta-v2")
        throw std::runtime_error("model_type is '" + type +
                                 "'; this loader reads BERT (\"bert\") and DeBERTa (\"deberta\", \"deberta-v2\")");
      c.model_type = type;
    }
    if (c.isDeberta()) {
      // Hugging Face's DebertaConfig / DebertaV2Config defaults where they differ from BERT's.
      c.deberta.v2 = c.model_type == "deberta-v2";
      c.vocab_size = c.deberta.v2 ? 128100 : 50265;
      c.type_vocab_size = 0;
      c.layer_norm_eps = 1e-7;
      readDebertaFields(j, c.deberta);
    }
    auto get = [&](const char* key, auto& field) { readConfigField(j, key, field); };
    get("vocab_size", c.vocab_size);
    get("hidden_size", c.hidden_size);
    get("num_hidden_layers", c.num_hidden_layers);
    get("num_attention_heads", c.num_attention_heads);
    get("intermediate_size", c.intermediate_size);
    get("hidden_act", c.hidden_act);
    get("hidden_dropout_prob", c.hidden_dropout_prob);
    get("attention_probs_dropout_prob", c.attention_probs_dropout_prob);
    get("max_position_embeddings", c.max_position_embeddings);
    get("type_vocab_size", c.type_vocab_size);
    get("layer_norm_eps", c.layer_norm_eps);
    get("pad_token_id", c.pad_token_id);
    if (!c.isDeberta() && j.contains("position_embedding_type") &&
        j["position_embedding_type"].get<std::string>() != "absolute")
      throw std::runtime_error("position_embedding_type '" +
                               j["position_embedding_type"].get<std::string>() +
                               "' is not supported (only absolute)");
    if (j.contains("sweet")) {
      const auto& s = j["sweet"];
      c.exit_layers = s.at("exit_layers").get<std::vector<int64_t>>();
      c.exit_method = s.at("method").get<std::string>();
      c.num_labels = s.at("num_labels").get<int64_t>();
      if (s.contains("label_names")) c.label_names = s["label_names"].get<std::vector<std::string>>();
      c.exit_pooler = s.value("pooler", "per_exit");
      c.exit_lte_input = s.value("lte_input", "");
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(source + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(source + ": " + e.what());
  }
  c.validate(source);
  return c;
}

std::string backbonePrefix(const BertConfig& config) { return config.isDeberta() ? "deberta" : "bert"; }

BertConfig loadBertConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open config file");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
  return bertConfigFromJson(j, path);
}

nlohmann::json bertConfigToJson(const BertConfig& c) {
  nlohmann::ordered_json j;
  j["model_type"] = c.model_type;
  j["architectures"] = {c.model_type == "bert" ? "BertModel" : c.deberta.v2 ? "DebertaV2Model" : "DebertaModel"};
  j["vocab_size"] = c.vocab_size;
  j["hidden_size"] = c.hidden_size;
  j["num_hidden_layers"] = c.num_hidden_layers;
  j["num_attention_heads"] = c.num_attention_heads;
  j["intermediate_size"] = c.intermediate_size;
  j["hidden_act"] = c.hidden_act;
  j["hidden_dropout_prob"] = c.hidden_dropout_prob;
  j["attention_probs_dropout_prob"] = c.attention_probs_dropout_prob;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["type_vocab_size"] = c.type_vocab_size;
  j["layer_norm_eps"] = c.layer_norm_eps;
  j["pad_token_id"] = c.pad_token_id;
  if (c.isDeberta())
    writeDebertaFields(c.deberta, j);
  else
    j["position_embedding_type"] = "absolute";
  if (!c.exit_layers.empty()) {
    j["sweet"] = {{"exit_layers", c.exit_layers},
                  {"method", c.exit_method},
                  {"num_labels", c.num_labels},
                  {"label_names", c.label_names},
                  {"pooler", c.exit_pooler}};
    if (!c.exit_lte_input.empty()) j["sweet"]["lte_input"] = c.exit_lte_input;
  }
  return nlohmann::json(j);
}

void saveBertConfig(const BertConfig& config, const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw std::runtime_error(path + ": cannot open for writing");
  out << bertConfigToJson(config).dump(2) << "\n";
  if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace sweet
