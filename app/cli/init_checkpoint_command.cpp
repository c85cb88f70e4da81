// `sweet init-checkpoint`: a randomly initialised BERT checkpoint in Hugging Face layout,
// for tests, the demo and anyone who wants a scratch model.
#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "training/bert_checkpoint.h"
#include "training/bert_model.h"
#include "training/state_dict.h"
#include "training/vocab_builder.h"

namespace sweet::cli {

void registerInitCheckpointCommand(CLI::App& root) {
  struct Options {
    std::string config, out, vocab, dtype = "F32";
    int64_t seed = 0;
    bool make_vocab = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = root.add_subcommand("init-checkpoint",
                                  "Write a randomly initialised BERT checkpoint (HF layout)");
  cmd->add_option("--config", opt->config, "BERT config.json to instantiate")->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", opt->out, "Output folder (created)")->required();
  cmd->add_option("--seed", opt->seed, "Random seed for the weights")->capture_default_str();
  cmd->add_option("--dtype", opt->dtype, "Weight dtype: F32, F16 or BF16")->capture_default_str()
      ->check(CLI::IsMember({"F32", "F16", "BF16"}));
  cmd->add_option("--vocab", opt->vocab, "Copy this vocab.txt into the folder")->check(CLI::ExistingFile);
  cmd->add_flag("--make-vocab", opt->make_vocab,
                "Write a character-level WordPiece vocab.txt of exactly vocab_size entries");
  cmd->callback([opt] {
    BertConfig config = loadBertConfig(opt->config);
    torch::manual_seed(static_cast<uint64_t>(opt->seed));
    BertModel model(config);
    initBertWeights(*model);
    std::string vocab = opt->vocab;
    if (opt->make_vocab) {
      std::filesystem::create_directories(opt->out);
      vocab = (std::filesystem::path(opt->out) / "vocab.txt").string();
      writeVocabulary(buildVocabulary(config.vocab_size), vocab);
    }
    saveCheckpointFolder(opt->out, config, namedState(*model), opt->dtype, vocab, true);
    std::cerr << "init-checkpoint: wrote " << config.num_hidden_layers << "-layer BERT (hidden "
              << config.hidden_size << ", seed " << opt->seed << ") to " << opt->out << "\n";
  });
}

}  // namespace sweet::cli
