// `sweet pretrain`'s engine: masked-language-model pre-training of a BERT or DeBERTa (v1,
// v2, v3) checkpoint on a text corpus, headless and Qt-free. Reads the corpus with the
// checkpoint's own tokenizer, holds out a slice for evaluation, trains BertForMaskedLm or
// DebertaForMaskedLm (tied decoder) with AdamW and a linear warmup/decay schedule on
// dynamically masked batches, writes the run file as it goes (pretrain_run_file.h) and
// saves a Hugging Face folder that `sweet train` fine-tunes from. Like `sweet train`, it
// holds the run's lock, writes resume checkpoints (checkpoint_every, and when stopped) and
// continues from one bit for bit.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "analysis/run_state.h"
#include "training/runs/resume_policy.h"
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
// starts (checkpoint, corpus, an existing run without overwrite, another writer) and for a
// failure while training (a write that failed names its file and the cause); from the
// moment the run file exists such a failure is written into it as "failed" first.
// `resume`: Never starts fresh (an earlier run needs overwrite); IfPresent and Required
// continue from the resume checkpoint when its configuration matches (Required: there must
// be one).
PretrainResult runPretraining(const PretrainConfig& config, const PretrainCallbacks& callbacks = {},
                              ResumePolicy resume = ResumePolicy::Never);

// What `sweet pretrain --continue` does, as `sweet train --continue`: nothing for a finished
// run; resume a checkpoint (of a stopped, killed or failed run); start over a run that has
// a file but no checkpoint; start one that has neither.
enum class PretrainContinue { AlreadyFinished, Resume, StartOver, Start };
PretrainContinue pretrainContinueAction(const PretrainConfig& config);

}  // namespace sweet
