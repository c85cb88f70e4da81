// `sweet inspect`: runs a checkpoint's encoder on text and dumps every layer's hidden
// states to HDF5, so the loader can be checked against any other BERT implementation.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/command.h"
#include "training/models/encoder_inspection.h"

namespace sweet::cli {

void registerInspectCommand(CLI::App& root) {
  auto opt = std::make_shared<EncoderInspection>();
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
    const InspectionSummary s = inspectEncoder(*opt, [](const std::string& m) { std::cerr << "inspect: " << m << "\n"; });
    std::cerr << "inspect: wrote " << s.sequences << " x " << s.tokens << " tokens, " << s.states
              << " hidden states of size " << s.hidden << " to " << opt->out << "\n";
  });
}

}  // namespace sweet::cli
