// Learned exiting's set-up of an engine, one place for `sweet infer --rule learned` on text
// and for `--measure`: the model's learning-to-exit heads (refused, saying why, for a model
// trained without them) and, under lte.threshold_rule minmax, each exit's score range on
// the run's evaluation, so a threshold means what it means on the report's learned curve.
#pragma once

#include <functional>
#include <string>

#include "training/inference/adaptive_inference.h"
#include "training/inference/inference_session.h"

namespace sweet {

// The heads of `session`; throws naming the model folder where it has none.
LteHeadsImpl* learnedExitingHeads(const InferenceSession& session);

// Gives `engine` the run's score ranges where its rule is minmax (throws where no finished
// run file holds them); says which scores it exits on.
void useLearnedScoreRule(AdaptiveInference& engine, const InferenceSession& session,
                         const std::function<void(const std::string&)>& say);

}  // namespace sweet
