// `sweet init-checkpoint`: a randomly initialised BERT or DeBERTa checkpoint in Hugging Face layout,
// for tests, the demo and anyone who wants a scratch model.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/command.h"
#include "training/checkpoints/random_checkpoint.h"

namespace sweet::cli {

void registerInitCheckpointCommand(CLI::App& root) {
  auto opt = std::make_shared<RandomCheckpointOptions>();
  auto* cmd = root.add_subcommand("init-checkpoint", "Write a randomly initialised BERT or DeBERTa checkpoint (HF layout)");
  cmd->add_option("--config", opt->config_file, "config.json to instantiate (model_type bert, deberta or deberta-v2)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--set", opt->overrides,
                  "Replace a config field: key=value (JSON value), repeatable; e.g. num_hidden_layers=2 to shrink");
  cmd->add_option("--out", opt->out_dir, "Output folder (created)")->required();
  cmd->add_option("--seed", opt->seed, "Random seed for the weights")->capture_default_str();
  cmd->add_option("--dtype", opt->dtype, "Weight dtype: F32, F16 or BF16")->capture_default_str()
      ->check(CLI::IsMember({"F32", "F16", "BF16"}));
  auto* vocab = cmd->add_option("--vocab", opt->vocab_file, "Copy this vocab.txt into the folder")->check(CLI::ExistingFile);
  auto* make = cmd->add_flag("--make-vocab", opt->make_vocab,
                             "Write a character-level WordPiece vocab.txt of exactly vocab_size entries")->excludes(vocab);
  cmd->add_option("--tokenizer-from", opt->tokenizer_dir,
                  "Copy this folder's tokenizer (vocab.txt, vocab.json + merges.txt, or spm.model, with "
                  "tokenizer_config.json's do_lower_case)")
      ->check(CLI::ExistingDirectory)->excludes(vocab)->excludes(make);
  cmd->callback([opt] {
    const int64_t layers = writeRandomCheckpoint(*opt);
    std::cerr << "init-checkpoint: wrote a " << layers << "-layer model (seed " << opt->seed << ") to " << opt->out_dir << "\n";
  });
}

}  // namespace sweet::cli
