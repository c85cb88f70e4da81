// DeBERTa config fields: see deberta_config.h.
#include "training/models/deberta_config.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "training/models/config_field.h"

namespace sweet {
namespace {

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

std::string trimLower(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

}  // namespace

bool DebertaConfig::c2p() const { return has(pos_att_type, "c2p"); }
bool DebertaConfig::p2c() const { return has(pos_att_type, "p2c"); }

bool DebertaConfig::normRelEmbeddings() const {
  std::stringstream parts(norm_rel_ebd);
  for (std::string part; std::getline(parts, part, '|');)
    if (trimLower(part) == "layer_norm") return true;
  return false;
}

int64_t DebertaConfig::maxRelativePositions(int64_t max_position_embeddings) const {
  return max_relative_positions < 1 ? max_position_embeddings : max_relative_positions;
}

int64_t DebertaConfig::relEmbeddingRows(int64_t max_position_embeddings) const {
  if (v2 && position_buckets > 0) return 2 * position_buckets;
  return 2 * maxRelativePositions(max_position_embeddings);
}

int64_t DebertaConfig::scaleFactor() const { return 1 + static_cast<int64_t>(pos_att_type.size()); }

void readDebertaFields(const nlohmann::json& j, DebertaConfig& c) {
  readConfigField(j, "relative_attention", c.relative_attention);
  readConfigField(j, "max_relative_positions", c.max_relative_positions);
  readConfigField(j, "position_biased_input", c.position_biased_input);
  readConfigField(j, "pooler_hidden_size", c.pooler_hidden_size);
  readConfigField(j, "pooler_hidden_act", c.pooler_hidden_act);
  readConfigField(j, "pooler_dropout", c.pooler_dropout);
  readConfigField(j, "embedding_size", c.embedding_size);
  readConfigField(j, "share_att_key", c.share_att_key);
  readConfigField(j, "position_buckets", c.position_buckets);
  readConfigField(j, "norm_rel_ebd", c.norm_rel_ebd);
  readConfigField(j, "conv_kernel_size", c.conv_kernel_size);
  readConfigField(j, "conv_groups", c.conv_groups);
  readConfigField(j, "conv_act", c.conv_act);
  // Hugging Face accepts "c2p|p2c" (the v1 checkpoints' spelling) and ["p2c", "c2p"] (v3's).
  c.pos_att_type.clear();
  if (j.contains("pos_att_type") && !j["pos_att_type"].is_null()) {
    const auto& v = j["pos_att_type"];
    if (v.is_string()) {
      std::stringstream parts(v.get<std::string>());
      for (std::string part; std::getline(parts, part, '|');)
        if (!trimLower(part).empty()) c.pos_att_type.push_back(trimLower(part));
    } else if (v.is_array()) {
      for (const auto& x : v) {
        if (!x.is_string()) throw std::runtime_error("pos_att_type must list strings, not " + v.dump().substr(0, 40));
        c.pos_att_type.push_back(trimLower(x.get<std::string>()));
      }
    } else {
      throw std::runtime_error("pos_att_type must be a string like \"c2p|p2c\" or a list, not " + v.dump().substr(0, 40));
    }
  }
  bool talking_head = false;
  readConfigField(j, "talking_head", talking_head);
  if (talking_head) throw std::runtime_error("talking_head is true: talking-head attention is not implemented");
  if (j.contains("attention_head_size") && !j["attention_head_size"].is_null())
    throw std::runtime_error("attention_head_size is set: only hidden_size / num_attention_heads heads are implemented");
}

void writeDebertaFields(const DebertaConfig& c, nlohmann::ordered_json& j) {
  j["relative_attention"] = c.relative_attention;
  j["max_relative_positions"] = c.max_relative_positions;
  j["position_biased_input"] = c.position_biased_input;
  j["pos_att_type"] = c.pos_att_type;
  if (c.pooler_hidden_size > 0) j["pooler_hidden_size"] = c.pooler_hidden_size;
  j["pooler_hidden_act"] = c.pooler_hidden_act;
  j["pooler_dropout"] = c.pooler_dropout;
  if (c.embedding_size > 0) j["embedding_size"] = c.embedding_size;
  if (c.v2) {
    j["share_att_key"] = c.share_att_key;
    j["position_buckets"] = c.position_buckets;
    j["norm_rel_ebd"] = c.norm_rel_ebd;
    if (c.conv_kernel_size > 0) {
      j["conv_kernel_size"] = c.conv_kernel_size;
      j["conv_groups"] = c.conv_groups;
      j["conv_act"] = c.conv_act;
    }
  }
}

void validateDeberta(const DebertaConfig& c, int64_t hidden_size, const std::string& source) {
  auto fail = [&](const std::string& what) { throw std::runtime_error(source + ": " + what); };
  for (const auto& t : c.pos_att_type)
    if (t != "c2p" && t != "p2c") fail("pos_att_type '" + t + "' is not supported (c2p, p2c)");
  if (c.pooler_hidden_size > 0 && c.pooler_hidden_size != hidden_size)
    fail("pooler_hidden_size (" + std::to_string(c.pooler_hidden_size) + ") must equal hidden_size (" +
         std::to_string(hidden_size) + "): the pooler reads the hidden state of the first token");
  if (c.pooler_dropout < 0 || c.pooler_dropout >= 1) fail("pooler_dropout must be in [0, 1)");
  for (const auto& act : {c.pooler_hidden_act, c.conv_act})
    if (act != "gelu" && act != "gelu_new" && act != "gelu_pytorch_tanh" && act != "relu" && act != "tanh")
      fail("activation '" + act + "' is not supported (gelu, gelu_new, relu, tanh)");
  if (c.embedding_size < 0) fail("embedding_size must not be negative");
  if (c.conv_kernel_size < 0) fail("conv_kernel_size must not be negative");
  if (c.conv_kernel_size > 0) {
    if (c.conv_kernel_size % 2 == 0) fail("conv_kernel_size must be odd (the convolution keeps the length)");
    if (c.conv_groups <= 0 || hidden_size % c.conv_groups != 0) fail("conv_groups must divide hidden_size");
  }
  if (c.v2 && c.position_buckets > 0 && c.position_buckets < 2) fail("position_buckets must be at least 2");
  if (!c.v2 && (c.share_att_key || c.position_buckets > 0 || c.conv_kernel_size > 0))
    fail("share_att_key, position_buckets and conv_kernel_size are DeBERTa-v2 fields (model_type \"deberta-v2\")");
}

}  // namespace sweet
