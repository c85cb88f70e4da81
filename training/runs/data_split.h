// The rows one run trains, calibrates and evaluates on, tokenized once: which examples of
// the training file are trained on (min(n, train_cap), drawn with the seed), which are held
// out for temperature scaling, which eval rows are scored, and the order of every epoch.
// Torch-free: a pure function of the config and the files, so EE, SWEET and MM under one
// seed see the same rows, and a resumed run finds its place from the step count alone.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "training/runs/eval_texts.h"
#include "training/runs/train_config.h"
#include "training/text/task_spec.h"
#include "training/tokenizers/tokenizer.h"

namespace sweet {

// Tokenized rows of one split with what each is scored against.
struct Split {
  std::vector<Encoding> encodings;
  std::vector<int64_t> labels;       // class ids (classification)
  std::vector<float> targets;        // float targets (regression)
  std::vector<int64_t> source_rows;  // row index in the file the split was drawn from
  size_t size() const { return encodings.size(); }
};

struct DataSplits {
  TaskSpec task;
  Split train, calibration, eval;
  std::string calibration_scheme;  // "held_out", "cross_fit", or empty for regression
  std::vector<int64_t> eval_fold;  // cross_fit: each eval instance's fold
  EvalTexts eval_texts;            // the eval rows' text, in eval order (for the run file)
};

// Reads the run's data (see run_examples.h) and splits it. Throws naming the file for bad
// data, and when the training or the evaluation split comes out empty.
DataSplits prepareDataSplits(const TrainConfig& config, const Tokenizer& tokenizer,
                             const std::function<void(const std::string&)>& say);

// Fisher-Yates with an explicit generator: the same permutation of 0..n-1 on every
// platform and standard library (std::shuffle's algorithm is unspecified).
std::vector<int64_t> permutation(int64_t n, uint64_t seed);
// The order of the training rows in `epoch`: a pure function of seed and epoch.
std::vector<int64_t> epochOrder(int64_t rows, int64_t seed, int64_t epoch);
// 0, 1, ..., n-1: a split in file order.
std::vector<int64_t> identityOrder(int64_t n);

}  // namespace sweet
