// `sweet pretrain`'s engine: masked-language-model pre-training of a BERT checkpoint on a
// text corpus, headless and Qt-free. Reads the corpus with the checkpoint's own tokenizer,
// holds out a slice for evaluation, trains BertForMaskedLm (tied decoder) with AdamW and a
// linear warmup/decay schedule on dynamically masked batches, writes a run file
// (pretrain_run_file.h) and saves a Hugging Face folder that `sweet train` fine-tunes from.
// DeBERTa checkpoints are refused: their MLM head (the enhanced mask decoder) is not built.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "analysis/run_state.h"
#include "training/pretraining/pretrain_config.h"

namespace sweet {

struct PretrainStep {
  int64_t step = 0, total_steps = 0;  // step counts from 1
  double mlm_loss = 0, mlm_accuracy = 0, learning_rate = 0;
};

struct PretrainCallbacks {
  std::function<bool(const PretrainStep&)> on_step;  // false stops the run after this step
  std::function<void(const std::string&)> on_message;
  const std::atomic<bool>* stop_requested = nullptr;  // a signal handler's flag
};

struct PretrainResult {
  RunState outcome = RunState::Failed;
  std::string message, run_file, model_dir;
  int64_t steps = 0;
  double eval_loss_before = 0, eval_accuracy_before = 0, eval_loss = 0, eval_accuracy = 0;
};

// Throws std::runtime_error naming the file at fault for bad input found before training
// starts (checkpoint, corpus, an existing run without overwrite, another writer).
PretrainResult runPretraining(const PretrainConfig& config, const PretrainCallbacks& callbacks = {});

}  // namespace sweet
