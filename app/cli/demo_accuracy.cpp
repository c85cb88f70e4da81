// Per-difficulty accuracy of the demo: see demo_accuracy.h.
#include "cli/demo_accuracy.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "training/text/demo_task.h"

namespace sweet::cli {

std::vector<DemoExitAccuracy> demoAccuracyByDifficulty(const analysis::RunData& run) {
  if (run.eval.empty()) throw std::runtime_error(run.path + ": no evaluation to split by difficulty");
  const int64_t evalSize = run.config.value("demo_eval_size", int64_t{1000});
  if (evalSize != run.eval.instances)
    throw std::runtime_error(run.path + ": " + std::to_string(run.eval.instances) + " eval instances, but the demo's eval set has " +
                             std::to_string(evalSize));
  const auto examples = generateDemoExamples(evalSize, kDemoEvalSeed);  // the eval set the trainer used
  std::vector<DemoExitAccuracy> rows;
  for (int64_t e = 0; e < run.exits(); ++e) {
    DemoExitAccuracy row;
    row.exit = e;
    row.layer = run.exitLayers[static_cast<size_t>(e)];
    std::array<int64_t, 4> correct{};
    for (int64_t i = 0; i < run.eval.instances; ++i) {
      const float* logits = run.eval.row(e, i);
      const int64_t prediction = std::max_element(logits, logits + run.eval.classes) - logits;
      const bool ok = prediction == run.eval.labels[static_cast<size_t>(i)];
      const size_t bucket = 1 + static_cast<size_t>(examples[static_cast<size_t>(i)].difficulty);
      for (size_t b : {size_t{0}, bucket}) {
        correct[b] += ok;
        ++row.instances[b];
      }
    }
    for (size_t b = 0; b < 4; ++b)
      row.accuracy[b] = row.instances[b] == 0 ? 0.0 : static_cast<double>(correct[b]) / static_cast<double>(row.instances[b]);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace sweet::cli
