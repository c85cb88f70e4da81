// DebertaConfig: the fields of a Hugging Face DeBERTa config.json (model_type "deberta" for
// v1, "deberta-v2" for v2 and v3) beyond the ones BERT shares, with Hugging Face's
// defaults. It lives inside BertConfig (BertConfig::deberta), so checkpoints, exit models
// and run files carry one config type whatever the backbone. Torch-free.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sweet {

struct DebertaConfig {
  bool v2 = false;  // model_type "deberta-v2": separate q/k/v projections, buckets, conv
  bool relative_attention = false;
  int64_t max_relative_positions = -1;  // < 1: max_position_embeddings
  bool position_biased_input = true;    // absolute position embeddings added to the input
  std::vector<std::string> pos_att_type;  // subset of {c2p, p2c}
  int64_t pooler_hidden_size = 0;         // 0: hidden_size (must equal it)
  std::string pooler_hidden_act = "gelu";
  double pooler_dropout = 0.0;
  int64_t embedding_size = 0;  // 0: hidden_size; otherwise embeddings.embed_proj maps it up
  // v2 only.
  bool share_att_key = false;     // positions projected by query_proj / key_proj
  int64_t position_buckets = -1;  // > 0: log-bucketed relative positions
  std::string norm_rel_ebd = "none";  // "layer_norm": encoder.LayerNorm on rel_embeddings
  int64_t conv_kernel_size = 0;       // > 0: encoder.conv after the first layer
  int64_t conv_groups = 1;
  std::string conv_act = "tanh";

  bool c2p() const;
  bool p2c() const;
  bool normRelEmbeddings() const;
  // max_relative_positions with -1 resolved.
  int64_t maxRelativePositions(int64_t max_position_embeddings) const;
  // Rows of encoder.rel_embeddings: 2 * (buckets if bucketed else max relative positions).
  int64_t relEmbeddingRows(int64_t max_position_embeddings) const;
  // 1 + |pos_att_type|: attention scores are divided by sqrt(head_dim * this).
  int64_t scaleFactor() const;
};

// Fills `c` from a DeBERTa config.json object; throws std::runtime_error naming the key.
void readDebertaFields(const nlohmann::json& j, DebertaConfig& c);
// Adds the fields back in Hugging Face's spelling (pos_att_type as a list).
void writeDebertaFields(const DebertaConfig& c, nlohmann::ordered_json& j);
// Throws std::runtime_error (prefixed with `source`) for values this implementation does
// not compute (talking heads, pos_att_type other than c2p/p2c, ...).
void validateDeberta(const DebertaConfig& c, int64_t hidden_size, const std::string& source);

}  // namespace sweet
