// Joining and cutting passes part-way through: see exit_pass_joining.h.
#include "training/inference/exit_pass_joining.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "training/models/bert_model.h"

namespace sweet {
namespace {

// A per-row tensor of ExitPass, the dimension that runs over tokens, and what a padded
// token holds there. The list mirrors EncoderContext and ModelInput (the per-batch
// relative-position tensors are handled apart); ExitPass::keepRows walks the same fields.
struct RowField {
  torch::Tensor* (*of)(ExitPass&);
  int64_t tokenDim;
  bool keyBias;  // padded with maskBias's value for a padding token, others with zeros
};

const RowField kRowFields[] = {
    {[](ExitPass& p) { return &p.input.input_ids; }, 1, false},
    {[](ExitPass& p) { return &p.input.attention_mask; }, 1, false},
    {[](ExitPass& p) { return &p.input.token_type_ids; }, 1, false},
    {[](ExitPass& p) { return &p.hidden; }, 1, false},
    {[](ExitPass& p) { return &p.context.key_bias; }, 3, true},
    {[](ExitPass& p) { return &p.context.query_keep; }, 2, false},
    {[](ExitPass& p) { return &p.context.token_keep; }, 1, false},
    {[](ExitPass& p) { return &p.context.embedding_output; }, 1, false},
};

int64_t passLength(const ExitPass& p) {
  return p.hidden.defined() ? p.hidden.size(1) : p.input.input_ids.size(1);
}

torch::Tensor padTokens(const torch::Tensor& t, const RowField& field, int64_t length) {
  const int64_t extra = length - t.size(field.tokenDim);
  if (extra == 0) return t;
  torch::Tensor pad;
  if (field.keyBias) {
    pad = BertModelImpl::maskBias(torch::zeros({t.size(0), extra}, t.options().dtype(torch::kLong)), t.scalar_type());
  } else {
    std::vector<int64_t> shape = t.sizes().vec();
    shape[static_cast<size_t>(field.tokenDim)] = extra;
    pad = torch::zeros(shape, t.options());
  }
  return torch::cat({t, pad}, field.tokenDim);
}

}  // namespace

int64_t passRows(const ExitPass& p) {
  return p.hidden.defined() ? p.hidden.size(0) : p.input.input_ids.size(0);
}

ExitPass joinPasses(std::vector<ExitPass> parts) {
  if (parts.empty()) throw std::invalid_argument("joinPasses: no passes");
  if (parts.size() == 1) return std::move(parts.front());
  const auto longest = std::max_element(parts.begin(), parts.end(), [](const ExitPass& a, const ExitPass& b) {
    return passLength(a) < passLength(b);
  });
  const int64_t length = passLength(*longest);
  ExitPass out;
  out.next_exit = parts.front().next_exit;
  // DeBERTa's relative positions depend only on the distance between two tokens, so the
  // longest part's table and indices serve the shorter parts' tokens as well.
  out.context.rel_embeddings = longest->context.rel_embeddings;
  out.context.c2p_index = longest->context.c2p_index;
  out.context.p2c_index = longest->context.p2c_index;
  for (const RowField& field : kRowFields) {
    std::vector<torch::Tensor> pieces;
    for (ExitPass& part : parts) {
      if (part.next_exit != out.next_exit) throw std::invalid_argument("joinPasses: passes at different exits");
      const torch::Tensor& t = *field.of(part);
      if (t.defined()) pieces.push_back(padTokens(t, field, length));
    }
    if (pieces.empty()) continue;
    if (pieces.size() != parts.size()) throw std::invalid_argument("joinPasses: passes hold different tensors");
    *field.of(out) = torch::cat(pieces, 0);
  }
  return out;
}

ExitPass splitFront(ExitPass& pass, int64_t rows) {
  const int64_t total = passRows(pass);
  if (rows <= 0 || rows >= total) throw std::invalid_argument("splitFront: cut outside the pass");
  const c10::Device device = pass.hidden.defined() ? pass.hidden.device() : pass.input.input_ids.device();
  // Row indices made on the device itself: no host copy.
  const auto options = torch::TensorOptions().dtype(torch::kLong).device(device);
  ExitPass front = pass;
  front.keepRows(torch::arange(0, rows, options));
  pass.keepRows(torch::arange(rows, total, options));
  return front;
}

}  // namespace sweet
