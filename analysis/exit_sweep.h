// One replay's exit state as a threshold rule's threshold moves, kept current event by
// event: the replay's sorted exit events (ExitReplay::events) applied in order or undone,
// with exit counts, correct answers and the confusion matrix updated per moved instance.
// The exact curve walks it once from the bottom; the GUI's draggable marker seeks it back
// and forth, so a drag step costs only the instances it moves (a full rescan is O(N·E) per
// seed, milliseconds at 400,000 instances).
#pragma once

#include "exit_policy.h"
#include "metrics.h"

#include <cstdint>
#include <vector>

namespace sweet::analysis {

class ExitSweep {
 public:
  // Starts below every event value: every instance at exit 0. Rule: one with threshold
  // events (ExitRuleTraits::thresholdEvents: all but Patience).
  // The replay must outlive the sweep.
  ExitSweep(ExitReplay& replay, ExitRule rule);

  ExitRule rule() const { return rule_; }
  // Event value of a rule threshold and back: events sort ascending in strictness, so an
  // AtMost rule's events (Entropy's) carry −threshold.
  double eventValue(double threshold) const { return sense_ == ThresholdSense::AtMost ? -threshold : threshold; }
  double threshold(double eventValue) const { return sense_ == ThresholdSense::AtMost ? -eventValue : eventValue; }

  // The state at a threshold in the rule's own units, as ExitReplay::assign gives it: every
  // event with value < eventValue(threshold) in effect.
  void seek(double threshold);

  // For walking the events group by group (the exact curve): whether some event is not yet
  // applied, the value of the next one, and applying every event of that value.
  bool atEnd() const { return applied_ == events_->size(); }
  double nextValue() const { return (*events_)[applied_].value; }
  void applyNextGroup();
  // The value just above every event: the state there is everyone at their last event.
  double valueAboveAll() const;

  const std::vector<int64_t>& exitCounts() const { return counts_; }
  int64_t instances() const { return static_cast<int64_t>(exitOf_.size()); }
  int32_t exitOf(int64_t instance) const { return exitOf_[static_cast<size_t>(instance)]; }
  double score(Metric metric) const;

 private:
  void move(uint32_t instance, int32_t from, int32_t to);

  const ExitReplay& replay_;
  ExitRule rule_;
  ThresholdSense sense_;
  const std::vector<ExitEvent>* events_;
  std::vector<int32_t> from_;     // [events] the exit each event's instance leaves
  size_t applied_ = 0;            // events [0, applied_) are in effect
  std::vector<int32_t> exitOf_;   // [instances]
  std::vector<int64_t> counts_;   // [exits]
  ConfusionMatrix confusion_;
  int64_t correct_ = 0;
};

}  // namespace sweet::analysis
