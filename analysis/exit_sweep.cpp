// Incremental exit state under a moving threshold: see exit_sweep.h.
#include "exit_sweep.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace sweet::analysis {

ExitSweep::ExitSweep(ExitReplay& replay, ExitRule rule)
    : replay_(replay), rule_(rule), sense_(exitRuleTraits(rule).sense), confusion_(replay.classes()) {
  if (!exitRuleTraits(rule).thresholdEvents)
    throw std::invalid_argument(std::string("ExitSweep: ") + exitRuleName(rule) + " has no threshold events");
  events_ = &replay.events(rule);
  const auto n = static_cast<size_t>(replay.instances());
  exitOf_.assign(n, 0);
  from_.resize(events_->size());
  for (size_t k = 0; k < events_->size(); ++k) {  // one pass to learn each event's origin
    const ExitEvent& ev = (*events_)[k];
    from_[k] = exitOf_[ev.instance];
    exitOf_[ev.instance] = ev.to;
  }
  std::fill(exitOf_.begin(), exitOf_.end(), 0);
  counts_.assign(static_cast<size_t>(replay.exits()), 0);
  counts_[0] = replay.instances();
  const std::vector<int64_t>& labels = replay.labels();
  for (size_t i = 0; i < n; ++i) {
    const int32_t p = replay.prediction(0, static_cast<int64_t>(i));
    confusion_.add(labels[i], p);
    correct_ += p == labels[i];
  }
}

void ExitSweep::move(uint32_t i, int32_t from, int32_t to) {
  const int64_t label = replay_.labels()[i];
  const int32_t before = replay_.prediction(from, i), after = replay_.prediction(to, i);
  --counts_[static_cast<size_t>(from)];
  ++counts_[static_cast<size_t>(to)];
  exitOf_[i] = to;
  if (before != after) {
    correct_ += (after == label) - (before == label);
    confusion_.add(label, before, -1);
    confusion_.add(label, after, 1);
  }
}

void ExitSweep::seek(double threshold) {
  const std::vector<ExitEvent>& ev = *events_;
  const double value = eventValue(threshold);
  // An instance leaves at the first exit whose certainty >= the threshold, so the events
  // in effect are those with value < threshold (the rule ExitReplay::assign applies).
  const auto target = static_cast<size_t>(
      std::lower_bound(ev.begin(), ev.end(), value, [](const ExitEvent& e, double v) { return e.value < v; }) -
      ev.begin());
  for (; applied_ < target; ++applied_) move(ev[applied_].instance, from_[applied_], ev[applied_].to);
  for (; applied_ > target; --applied_) {
    const size_t k = applied_ - 1;
    move(ev[k].instance, ev[k].to, from_[k]);
  }
}

void ExitSweep::applyNextGroup() {
  const std::vector<ExitEvent>& ev = *events_;
  const double value = ev[applied_].value;
  for (; applied_ < ev.size() && ev[applied_].value == value; ++applied_)
    move(ev[applied_].instance, from_[applied_], ev[applied_].to);
}

double ExitSweep::valueAboveAll() const {
  return events_->empty() ? 1.0 : std::nextafter(events_->back().value, std::numeric_limits<double>::infinity());
}

double ExitSweep::score(Metric metric) const {
  if (metric != Metric::Accuracy) return confusion_.score(metric);
  const int64_t n = instances();
  return n == 0 ? 0.0 : static_cast<double>(correct_) / static_cast<double>(n);
}

}  // namespace sweet::analysis
