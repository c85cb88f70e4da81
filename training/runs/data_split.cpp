// Data splits of one run: see data_split.h.
#include "training/runs/data_split.h"

#include <algorithm>
#include <random>
#include <stdexcept>

#include "analysis/temperature_scaling.h"
#include "training/runs/run_examples.h"

namespace sweet {

std::vector<int64_t> permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> p = identityOrder(n);
  std::mt19937_64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[static_cast<size_t>(i)], p[rng() % static_cast<uint64_t>(i + 1)]);
  return p;
}

std::vector<int64_t> epochOrder(int64_t rows, int64_t seed, int64_t epoch) {
  return permutation(rows, static_cast<uint64_t>(seed) * 1000003ULL + static_cast<uint64_t>(epoch));
}

std::vector<int64_t> identityOrder(int64_t n) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  return order;
}

namespace {

Split encodeRows(const std::vector<TextExample>& examples, const std::vector<int64_t>& rows, const Tokenizer& tokenizer,
                 int64_t maxLength) {
  Split s;
  for (int64_t r : rows) {
    const auto& ex = examples[static_cast<size_t>(r)];
    s.encodings.push_back(tokenizer.encode(ex.text_a, ex.text_b, maxLength));
    s.labels.push_back(ex.label);
    s.targets.push_back(ex.target);
    s.source_rows.push_back(r);
  }
  return s;
}

// The text of the eval rows, kept for the run file; a pair task's second segments only
// when some row has one.
EvalTexts collectTexts(const std::vector<TextExample>& examples, const std::vector<int64_t>& rows) {
  EvalTexts texts;
  bool paired = false;
  for (int64_t r : rows) paired = paired || examples[static_cast<size_t>(r)].text_b.has_value();
  for (int64_t r : rows) {
    const auto& ex = examples[static_cast<size_t>(r)];
    texts.lines.push_back(ex.line);
    texts.text_a.push_back(ex.text_a);
    if (paired) texts.text_b.push_back(ex.text_b.value_or(std::string()));
  }
  return texts;
}

}  // namespace

DataSplits prepareDataSplits(const TrainConfig& c, const Tokenizer& tokenizer,
                             const std::function<void(const std::string&)>& say) {
  DataSplits d;
  RunExamples examples = loadRunExamples(c, /*with_train=*/true, say);
  d.task = std::move(examples.task);
  // The seed alone decides the sample, so EE, MM and SWEET under one seed train on the same
  // examples. They train on min(n, train_cap) rows, as the paper does; temperatures are
  // fitted on rows the model never saw: calibration_size rows from beyond the cap when the
  // file has that many left over, otherwise (RTE, MRPC at the 6,000 cap) on two halves of
  // the eval set, each scored with the other's temperatures (analysis::calibrate).
  const auto n = static_cast<int64_t>(examples.train.size());
  const auto perm = permutation(n, static_cast<uint64_t>(c.seed));
  const int64_t nTrain = std::min(c.train_cap, n);
  // Regression has no softmax confidences to temperature-scale: no calibration rows.
  const int64_t cal =
      !d.task.regression && c.calibration_size > 0 && n - nTrain >= c.calibration_size ? c.calibration_size : 0;
  const std::vector<int64_t> trainRows(perm.begin(), perm.begin() + nTrain);
  const std::vector<int64_t> calRows(perm.end() - cal, perm.end());
  const auto nEval = static_cast<int64_t>(examples.eval.size());
  const std::vector<int64_t> evalRows = identityOrder(c.eval_max_examples > 0 ? std::min(c.eval_max_examples, nEval) : nEval);
  say("tokenizing " + std::to_string(nTrain) + " training, " + std::to_string(cal) + " calibration and " +
      std::to_string(evalRows.size()) + " eval examples");
  d.train = encodeRows(examples.train, trainRows, tokenizer, c.max_length);
  d.calibration = encodeRows(examples.train, calRows, tokenizer, c.max_length);
  d.eval = encodeRows(examples.eval, evalRows, tokenizer, c.max_length);
  d.eval_texts = collectTexts(examples.eval, evalRows);
  if (d.train.size() == 0) throw std::runtime_error("the training set is empty (no rows to train on)");
  if (d.eval.size() == 0)
    throw std::runtime_error("the evaluation set is empty: there would be no score to report (eval_file, eval_max_examples)");
  if (d.task.regression) return d;  // no calibration scheme: nothing to calibrate
  d.calibration_scheme = cal > 0 ? "held_out" : "cross_fit";
  if (cal == 0) d.eval_fold = analysis::crossFitFolds(d.eval.labels, static_cast<uint64_t>(c.seed));
  return d;
}

}  // namespace sweet
