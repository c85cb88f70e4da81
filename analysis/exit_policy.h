// Exit replay: which exit each evaluation instance would take under an exit policy, from
// cached per-exit logits (no model is run again). Softmax confidences, entropies and
// argmax predictions are computed once at construction; every assign*() call then only
// scans them and writes into buffers owned by the replay, so dragging a threshold in the
// GUI never allocates.
#pragma once

#include "exit_rule_traits.h"
#include "metrics.h"
#include "run_data.h"

#include <cstdint>
#include <vector>

namespace sweet::analysis {

// Result of one policy evaluation. Vectors are sized once and overwritten by each call.
struct ExitAssignment {
  std::vector<int32_t> exitOf;       // [instances] 0-based exit each instance leaves at
  std::vector<int32_t> prediction;   // [instances] the prediction of that exit
  std::vector<int64_t> exitCounts;   // [exits] instances leaving at each exit; sums to N
};

// A change of exit as a threshold crosses `value` (see ExitReplay::events).
struct ExitEvent {
  double value;        // the instance keeps its exit for thresholds <= value, moves above it
  uint32_t instance;
  int32_t to;          // the exit it moves to
};

// One exit's verdict on one instance, from its logits z[K] divided by a temperature
// (invTemperature = 1/T): the replay and real early-exit inference (training/inference/)
// both call this, so a threshold sends an instance to the same exit in both.
struct ExitCertainty {
  double confidence;         // max softmax, in [1/K, 1) (see ExitReplay::confidence)
  double normalizedEntropy;  // entropy / log K, in (0, 1]
  int32_t prediction;        // argmax; the lowest class id wins a tie
};
ExitCertainty exitCertainty(const float* z, int64_t classes, double invTemperature);

// The confidence rule for one instance: given its confidence at the exit just computed,
// whether it leaves there (c >= t, or the exit is the last one).
inline bool leavesAt(double confidence, double threshold, bool lastExit) {
  return lastExit || confidence >= threshold;
}

class ExitReplay {
 public:
  // temperatures: optional, one per exit ([E]) or one per exit and instance ([E][N], as
  // cross-fitting gives each half of the eval set the other half's temperatures); logits
  // are divided by them first (temperature scaling changes confidences, hence exits, but
  // never an exit's prediction).
  explicit ExitReplay(const LogitSet& logits, const std::vector<double>& temperatures = {});

  int64_t exits() const { return exits_; }
  int64_t instances() const { return instances_; }
  int64_t classes() const { return classes_; }
  const std::vector<int64_t>& labels() const { return labels_; }

  // Learning-to-exit scores, row-major [E, N] as /eval/lte_scores stores them: each exit's
  // own estimate that its prediction is right. Enables ExitRule::Learned (assign, events,
  // ExitSweep, the curves), which otherwise throws. Throws std::invalid_argument for a
  // wrong size or a non-finite score.
  void setLearnedScores(const std::vector<float>& scores);
  bool hasLearnedScores() const { return !learned_.empty(); }

  // Max softmax probability, in [1/K, 1) exactly (computed in double as 1/Σ exp(z_j − z_max),
  // and a value that rounds to 1 kept just below it): the paper defines t = 1/K as
  // everyone at the first exit and t = 1 as everyone at the last, and both hold exactly.
  double confidence(int64_t exit, int64_t instance) const { return confidence_[index(exit, instance)]; }
  // Entropy of the softmax divided by log K, in (0, 1] (an entropy that rounds to 0 is kept
  // just above it, so the entropy threshold 0 sends everyone to the last exit).
  double normalizedEntropy(int64_t exit, int64_t instance) const { return -negEntropy_[index(exit, instance)]; }
  // Argmax of the logits; the lowest class id wins a tie.
  int32_t prediction(int64_t exit, int64_t instance) const { return prediction_[index(exit, instance)]; }

  // The policies. Each returns the replay's own buffer, valid until the next assign call.
  const ExitAssignment& assignConfidence(double threshold);
  const ExitAssignment& assignEntropy(double maxNormalizedEntropy);
  // k >= 1 consecutive exits (the current one included) must agree; k = 1 always leaves at
  // the first exit. PABEE's "patience" p is k = p + 1.
  const ExitAssignment& assignPatience(int64_t agreeing);
  const ExitAssignment& assignLearned(double threshold);
  // Everyone at one exit: the "individual exit" score of Table 1.
  const ExitAssignment& assignFixedExit(int64_t exit);
  const ExitAssignment& assign(ExitRule rule, double parameter);
  const ExitAssignment& current() const { return assignment_; }

  // Score of an assignment under a metric; reuses an internal confusion matrix.
  double score(const ExitAssignment& assignment, Metric metric);

  // For Confidence and Entropy: every change of exit as the threshold sweeps, sorted by
  // `value` (for Entropy, value = −entropy so that larger values still mean "stricter").
  // At threshold t (or −t) an instance sits at the `to` of its last event with value < t,
  // or at exit 0 when there is none. Built on first use and cached.
  const std::vector<ExitEvent>& events(ExitRule rule);

 private:
  size_t index(int64_t exit, int64_t instance) const {
    return static_cast<size_t>(instance * exits_ + exit);  // instance-major: one cache line per instance
  }
  const ExitAssignment& assignByCertainty(const std::vector<double>& certainty, double threshold);
  void buildEvents(const std::vector<double>& certainty, std::vector<ExitEvent>& out) const;

  int64_t exits_, instances_, classes_;
  std::vector<int64_t> labels_;
  std::vector<double> confidence_;   // [instances][exits]
  std::vector<double> negEntropy_;   // −normalized entropy, so both rules read "certainty >= t"
  std::vector<int32_t> prediction_;  // [instances][exits]
  std::vector<double> learned_;      // [instances][exits] LTE scores; empty when none were set
  ExitAssignment assignment_;
  ConfusionMatrix confusion_;
  std::vector<ExitEvent> confidenceEvents_, entropyEvents_, learnedEvents_;
  bool confidenceEventsBuilt_ = false, entropyEventsBuilt_ = false, learnedEventsBuilt_ = false;
};

}  // namespace sweet::analysis
