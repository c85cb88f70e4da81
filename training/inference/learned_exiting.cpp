// Learned exiting's set-up of an engine: see learned_exiting.h.
#include "training/inference/learned_exiting.h"

#include <stdexcept>

#include "training/models/lte_heads.h"

namespace sweet {

LteHeadsImpl* learnedExitingHeads(const InferenceSession& session) {
  if (!session.lte)
    throw std::runtime_error(session.model_dir + ": no " + kLteWeightsFile +
                             ": this model was trained without learning-to-exit heads (lte.enabled); exit on "
                             "confidence instead");
  return session.lte.ptr().get();
}

void useLearnedScoreRule(AdaptiveInference& engine, const InferenceSession& session,
                         const std::function<void(const std::string&)>& say) {
  if (!session.lte_minmax) return;
  // The report's and the GUI's learned curve normalise each exit's scores to their eval
  // range (lte.threshold_rule minmax): a threshold read off that curve means the same here.
  if (!session.lte_range)
    throw std::runtime_error(session.model_dir + ": --rule learned normalises each exit's LTE scores to their range on "
                             "the run's evaluation (lte.threshold_rule minmax) and no finished run file with "
                             "/eval/lte_scores was found: pass --run RUN.h5, or train with lte.threshold_rule raw");
  engine.setLearnedScoreRange(*session.lte_range);
  say("learned scores: min-max normalised per exit on the run's evaluation (lte.threshold_rule minmax)");
}

}  // namespace sweet
