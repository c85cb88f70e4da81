// Building the model a run trains (EE, SWEET or MM) from a Hugging Face BERT checkpoint,
// and saving / reloading a fine-tuned one in Hugging Face layout (config.json with a
// "sweet" block naming method, exits and labels, plus model.safetensors).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "training/checkpoints/bert_checkpoint.h"
#include "training/models/exit_classifier.h"

namespace sweet {

// Starts from the checkpoint's pretrained weights: the backbone (each MM member takes the
// first L_i layers), the checkpoint's pooler copied into every exit's pooler; the
// classifiers are freshly initialised (call torch::manual_seed first for reproducibility).
// `notes`, when given, receives what a person should know about the load (a pooler the
// checkpoint lacks, initialised afresh).
std::shared_ptr<ExitClassifier> buildExitClassifier(const BertCheckpoint& checkpoint, const std::string& method,
                                                    const std::vector<int64_t>& exit_layers, int64_t num_labels,
                                                    bool shared_pooler, std::vector<std::string>* notes = nullptr);

// Writes config.json (BERT fields + "sweet" block), model.safetensors, the tokenizer's
// files (whichever kind the backbone uses) and tokenizer_config.json.
void saveExitClassifier(ExitClassifier& model, const BertConfig& backbone, const std::vector<std::string>& label_names,
                        bool shared_pooler, const std::string& dir, const std::optional<TokenizerFiles>& tokenizer);

// Reloads what saveExitClassifier wrote; every key must match exactly.
std::shared_ptr<ExitClassifier> loadExitClassifier(const std::string& dir);

}  // namespace sweet
