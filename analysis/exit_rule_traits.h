// The exit rules and the one table of their facts: stable name, display name, which
// threshold they take (range, default, direction) and what applies to them (the paper's
// 11-threshold sweep, temperatures, learned scores). The curve view, its model, the sweep
// and the CLI read the table instead of switching on the rule, so a new rule is one row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sweet::analysis {

enum class ExitRule {
  Confidence,  // leave at the first exit whose max softmax >= t, else at the last
  Entropy,     // leave at the first exit whose entropy / log K <= t, else at the last
  Patience,    // PABEE: leave once k consecutive exits agree on the prediction
  Learned,     // learning-to-exit (BERxiT): leave at the first exit whose LTE score >= t
};

// What a rule's parameter is: a threshold on a score in [0, 1], or a count of agreeing
// exits k in 1..E (an integer; E depends on the model, so the range needs it).
enum class ExitParameter { UnitScore, ExitCount };

// Which side of the threshold lets an instance leave: a score at least t (confidence,
// LTE score, agreeing exits) or at most t (entropy). Raising an AtLeast threshold keeps
// instances longer; raising an AtMost one lets them out sooner.
enum class ThresholdSense { AtLeast, AtMost };

struct ThresholdRange {
  double low, high;
  bool contains(double t) const { return t >= low && t <= high; }
};

struct ExitRuleTraits {
  ExitRule rule;
  const char* name;         // stable, for the CLI, configs and settings: "confidence", …
  const char* displayName;  // for menus: "softmax confidence", …
  ExitParameter parameter;
  ThresholdSense sense;
  double defaultThreshold;  // where a marker starts: 0.9, or k = 2 (PABEE's patience 1)
  // Every threshold value at which some instance changes exit is known (ExitReplay::events):
  // the exact curve and the incremental ExitSweep exist. Patience has E values of k instead.
  bool thresholdEvents;
  // The paper's 11 thresholds from 1/K to 1 are spaced for softmax confidences only; other
  // rules draw their exact curve.
  bool paperSweep;
  // Temperature scaling changes what the rule reads (softmax confidences and entropies);
  // LTE scores and argmax agreement are the same with or without it.
  bool usesTemperatures;
  bool needsLearnedScores;  // the run's /eval/lte_scores (trained with lte.enabled)
  // What the exits read, in words, where temperatures do not apply (else the calibration
  // names it): "learned exit scores (LTE)".
  const char* scoreSource;
  // For the threshold's own label and tooltip: "threshold" / "agreeing exits k =", its
  // title ("Confidence threshold") and when an instance leaves ("at the first exit whose …").
  const char* parameterLabel;
  const char* parameterTitle;
  const char* leavesWhen;
  // A note under the curves saying what they show; empty for confidence, whose note names
  // its calibration instead.
  const char* curveNote;

  bool integerParameter() const { return parameter == ExitParameter::ExitCount; }
  // The values the parameter can take for a model with `exits` exits.
  ThresholdRange range(int64_t exits) const {
    return integerParameter() ? ThresholdRange{1.0, static_cast<double>(exits)} : ThresholdRange{0.0, 1.0};
  }
};

// Every rule, in menu order (the paper's confidence first).
const std::vector<ExitRuleTraits>& allExitRules();
const ExitRuleTraits& exitRuleTraits(ExitRule rule);

const char* exitRuleName(ExitRule rule);
// Throws std::runtime_error naming the accepted names for an unknown one.
ExitRule exitRuleFromName(const std::string& name);

}  // namespace sweet::analysis
