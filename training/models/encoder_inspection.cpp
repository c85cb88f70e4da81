// Running a checkpoint's encoder on text and writing every layer's hidden states to
// HDF5: see encoder_inspection.h.
#include "training/models/encoder_inspection.h"

#include <torch/torch.h>

#include <optional>

#include "analysis/hdf5_util.h"
#include "training/checkpoints/bert_checkpoint.h"
#include "training/models/encoder_backbone.h"
#include "training/text/delimited_table.h"
#include "training/runs/device.h"
#include "training/tokenizers/tokenizer_files.h"

namespace sweet {

namespace {

torch::Tensor toTensor(const std::vector<int64_t>& v, int64_t rows, int64_t cols) {
  return torch::from_blob(const_cast<int64_t*>(v.data()), {rows, cols}, torch::kLong).clone();
}

}  // namespace

InspectionSummary inspectEncoder(const EncoderInspection& opt, const std::function<void(const std::string&)>& say) {
  configureThreads(opt.threads, "--threads");
  const c10::Device device = parseDevice(opt.device);
  CheckpointWithTokenizer opened = openCheckpointWithTokenizer(opt.model);
  BertCheckpoint& ck = opened.checkpoint;
  const Tokenizer& tokenizer = *opened.tokenizer;
  std::shared_ptr<EncoderBackbone> model = makeBackbone(ck.config);
  auto report = loadEncoderWeights(*model, ck);
  for (const auto& key : report.ignored) say("ignored checkpoint key " + key);
  for (const auto& key : report.left_initialised) say(key + " not in the checkpoint, left randomly initialised");
  model->eval();
  model->to(device);

  std::vector<Encoding> encodings;
  if (!opt.tsv.empty()) {
    DelimitedTable table = readDelimitedTable(opt.tsv, /*has_header=*/true);
    const size_t a = table.column(opt.column);
    std::optional<size_t> b;
    if (!opt.column_b.empty()) b = table.column(opt.column_b);
    for (size_t r = 0; r < table.rows.size(); ++r) {
      if (opt.limit > 0 && static_cast<int64_t>(r) >= opt.limit) break;
      const auto& row = table.rows[r];
      if (row.size() <= a || (b && row.size() <= *b))
        throw std::runtime_error(opt.tsv + ":" + std::to_string(table.line_numbers[r]) + ": row has " +
                                 std::to_string(row.size()) + " fields, fewer than the header's " +
                                 std::to_string(table.header.size()));
      encodings.push_back(tokenizer.encode(row[a], b ? std::optional<std::string>(row[*b]) : std::nullopt,
                                           opt.max_length));
    }
  } else {
    encodings.push_back(tokenizer.encode(
        opt.text, opt.text_b.empty() ? std::nullopt : std::optional<std::string>(opt.text_b), opt.max_length));
  }
  if (encodings.empty()) throw std::runtime_error(opt.tsv + ": no rows to inspect");

  // Pad everything to the longest input, so the datasets are rectangular [n, T].
  const TokenBatch all = tokenizer.pad(encodings);
  const int64_t n = all.batch, T = all.length, L = ck.config.num_hidden_layers, H = ck.config.hidden_size;
  auto ids = toTensor(all.input_ids, n, T), mask = toTensor(all.attention_mask, n, T),
       types = toTensor(all.token_type_ids, n, T);
  auto hidden = torch::empty({L + 1, n, T, H}, torch::kFloat);
  auto pooled = torch::empty({n, H}, torch::kFloat);
  torch::NoGradGuard no_grad;
  for (int64_t start = 0; start < n; start += opt.batch_size) {
    const int64_t end = std::min(n, start + opt.batch_size);
    using torch::indexing::Slice;
    auto out = model->encode(ids.index({Slice(start, end)}).to(device), mask.index({Slice(start, end)}).to(device),
                     types.index({Slice(start, end)}).to(device));
    for (int64_t l = 0; l <= L; ++l)
      hidden.index_put_({l, Slice(start, end)}, out.hidden_states[static_cast<size_t>(l)].to(torch::kCPU, torch::kFloat));
    pooled.index_put_({Slice(start, end)}, out.pooled.to(torch::kCPU, torch::kFloat));
    say(std::to_string(end) + "/" + std::to_string(n) + " sequences");
  }

  try {
    H5::H5File file(opt.out, H5F_ACC_TRUNC);
    const h5::Shape nT = {static_cast<hsize_t>(n), static_cast<hsize_t>(T)};
    h5::writeInt64(file, "input_ids", nT, ids.data_ptr<int64_t>());
    h5::writeInt64(file, "attention_mask", nT, mask.data_ptr<int64_t>());
    h5::writeInt64(file, "token_type_ids", nT, types.data_ptr<int64_t>());
    h5::writeFloat32(file, "hidden_states",
                     {static_cast<hsize_t>(L + 1), static_cast<hsize_t>(n), static_cast<hsize_t>(T),
                      static_cast<hsize_t>(H)},
                     hidden.data_ptr<float>());
    h5::writeFloat32(file, "pooled", {static_cast<hsize_t>(n), static_cast<hsize_t>(H)}, pooled.data_ptr<float>());
    H5::Group rootGroup = file.openGroup("/");
    h5::writeStringAttr(rootGroup, "model", opt.model);
    h5::writeStringAttr(rootGroup, "libtorch_version", libtorchVersion());
  } catch (const H5::Exception& e) {
    throw std::runtime_error(h5::describe(opt.out, "cannot write", e));
  }
  return {n, T, L + 1, H};
}


}  // namespace sweet
