// Everything a run reads before its first step, opened and checked up front: the
// checkpoint with its tokenizer, the exits, the data paths. A value that fails here would
// otherwise fail after the training time is spent, often as a libtorch backtrace; each
// message names the key or file at fault.
#pragma once

#include <memory>
#include <vector>

#include "training/checkpoints/bert_checkpoint.h"
#include "training/runs/train_config.h"

namespace sweet {

struct RunInputs {
  BertCheckpoint checkpoint;
  std::unique_ptr<Tokenizer> tokenizer;
  std::vector<int64_t> exit_layers;  // the config's, or the defaults for the depth
};

RunInputs openRunInputs(const TrainConfig& config);

}  // namespace sweet
