// `sweet inspect`: runs a checkpoint's encoder on text and dumps every layer's hidden
// states to HDF5, so the loader can be checked against any other BERT implementation.
#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <iostream>
#include <optional>

#include "analysis/hdf5_util.h"
#include "cli/command.h"
#include "training/bert_checkpoint.h"
#include "training/bert_model.h"
#include "training/delimited_table.h"
#include "training/device.h"
#include "training/wordpiece_tokenizer.h"

namespace sweet::cli {
namespace {

struct InspectOptions {
  std::string model, text, text_b, tsv, column, column_b, out, device = "cpu";
  int64_t max_length = 128, limit = 0, batch_size = 16;
  int threads = 0;
};

torch::Tensor toTensor(const std::vector<int64_t>& v, int64_t rows, int64_t cols) {
  return torch::from_blob(const_cast<int64_t*>(v.data()), {rows, cols}, torch::kLong).clone();
}

void runInspect(const InspectOptions& opt) {
  configureThreads(opt.threads);
  const c10::Device device = parseDevice(opt.device);
  BertCheckpoint ck = openBertCheckpoint(opt.model);
  if (ck.vocab_file.empty()) throw std::runtime_error(opt.model + ": no vocab.txt in the checkpoint folder");
  WordPieceTokenizer tokenizer(ck.vocab_file, ck.do_lower_case);
  BertModel model(ck.config);
  auto report = loadBertWeights(*model, ck);
  for (const auto& key : report.ignored) std::cerr << "inspect: ignored checkpoint key " << key << "\n";
  for (const auto& key : report.left_initialised)
    std::cerr << "inspect: " << key << " not in the checkpoint, left randomly initialised\n";
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
    auto out = model(ids.index({Slice(start, end)}).to(device), mask.index({Slice(start, end)}).to(device),
                     types.index({Slice(start, end)}).to(device));
    for (int64_t l = 0; l <= L; ++l)
      hidden.index_put_({l, Slice(start, end)}, out.hidden_states[static_cast<size_t>(l)].to(torch::kCPU, torch::kFloat));
    pooled.index_put_({Slice(start, end)}, out.pooled.to(torch::kCPU, torch::kFloat));
    std::cerr << "\rinspect: " << end << "/" << n << " sequences" << std::flush;
  }
  std::cerr << "\n";

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
  std::cerr << "inspect: wrote " << n << " x " << T << " tokens, " << L + 1 << " hidden states of size " << H
            << " to " << opt.out << "\n";
}

}  // namespace

void registerInspectCommand(CLI::App& root) {
  auto opt = std::make_shared<InspectOptions>();
  auto* cmd = root.add_subcommand("inspect", "Run a checkpoint's encoder and write its hidden states to HDF5");
  cmd->add_option("--model", opt->model, "Checkpoint folder (config.json, model.safetensors, vocab.txt)")
      ->required()->check(CLI::ExistingDirectory);
  auto* text = cmd->add_option("--text", opt->text, "Input sentence");
  cmd->add_option("--text-b", opt->text_b, "Second sentence of a pair")->needs(text);
  auto* tsv = cmd->add_option("--tsv", opt->tsv, "TSV file with a header row")->check(CLI::ExistingFile);
  auto* column = cmd->add_option("--column", opt->column, "Column of --tsv holding the text")->needs(tsv);
  cmd->add_option("--column-b", opt->column_b, "Column of --tsv holding the second sentence")->needs(column);
  cmd->add_option("--limit", opt->limit, "Use only the first N rows of --tsv (0 = all)");
  tsv->needs(column);
  text->excludes(tsv);
  cmd->add_option("--out", opt->out, "Output HDF5 file")->required();
  cmd->add_option("--max-length", opt->max_length, "Truncate inputs to this many tokens")->capture_default_str();
  cmd->add_option("--device", opt->device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--threads", opt->threads, "CPU threads (0 = one per core)")->capture_default_str();
  cmd->callback([opt] {
    if (opt->text.empty() && opt->tsv.empty()) throw std::runtime_error("give --text or --tsv with --column");
    runInspect(*opt);
  });
}

}  // namespace sweet::cli
