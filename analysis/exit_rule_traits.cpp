// The table of exit-rule facts: see exit_rule_traits.h.
#include "exit_rule_traits.h"

#include <stdexcept>

namespace sweet::analysis {

const std::vector<ExitRuleTraits>& allExitRules() {
  static const std::vector<ExitRuleTraits> rules = {
      {ExitRule::Confidence, "confidence", "softmax confidence", ExitParameter::UnitScore, ThresholdSense::AtLeast,
       0.9, /*thresholdEvents=*/true, /*paperSweep=*/true, /*usesTemperatures=*/true, /*needsLearnedScores=*/false,
       "", "threshold", "Confidence threshold", "at the first exit whose max softmax probability reaches it", ""},
      {ExitRule::Learned, "learned", "learned scores (LTE)", ExitParameter::UnitScore, ThresholdSense::AtLeast,
       0.9, /*thresholdEvents=*/true, /*paperSweep=*/false, /*usesTemperatures=*/false, /*needsLearnedScores=*/true,
       "learned exit scores (LTE)", "threshold", "LTE threshold",
       "at the first exit whose learned score reaches it",
       "Exits where the learning-to-exit head's score reaches the threshold (exact curves)"},
      {ExitRule::Entropy, "entropy", "normalized entropy ≤ t", ExitParameter::UnitScore, ThresholdSense::AtMost,
       0.9, /*thresholdEvents=*/true, /*paperSweep=*/false, /*usesTemperatures=*/true, /*needsLearnedScores=*/false,
       "", "threshold", "Entropy threshold", "at the first exit whose softmax entropy / log K is at most this",
       "Exits where the softmax entropy / log K falls to the threshold or below (exact curves)"},
      {ExitRule::Patience, "patience", "patience (k exits agree)", ExitParameter::ExitCount, ThresholdSense::AtLeast,
       2.0, /*thresholdEvents=*/false, /*paperSweep=*/false, /*usesTemperatures=*/false, /*needsLearnedScores=*/false,
       "agreement of consecutive exits (PABEE)", "agreeing exits k =", "Patience",
       "once k consecutive exits predict the same label (k = 1: the first exit)",
       "Exits once k consecutive exits agree on the prediction (PABEE's patience p = k − 1): one point per k"},
  };
  return rules;
}

const ExitRuleTraits& exitRuleTraits(ExitRule rule) {
  for (const ExitRuleTraits& t : allExitRules())
    if (t.rule == rule) return t;
  throw std::invalid_argument("unknown exit rule");
}

const char* exitRuleName(ExitRule rule) { return exitRuleTraits(rule).name; }

ExitRule exitRuleFromName(const std::string& name) {
  std::string expected;
  const auto& rules = allExitRules();
  for (size_t i = 0; i < rules.size(); ++i) {
    if (name == rules[i].name) return rules[i].rule;
    expected += (i == 0 ? "" : i + 1 == rules.size() ? " or " : ", ") + std::string(rules[i].name);
  }
  throw std::runtime_error("unknown exit rule '" + name + "' (expected " + expected + ")");
}

}  // namespace sweet::analysis
