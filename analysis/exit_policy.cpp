// Exit replay: see exit_policy.h; the exit rules are written out in docs/formulas.md.
#include "exit_policy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace sweet::analysis {

ExitCertainty exitCertainty(const float* z, int64_t classes, double invT) {
  // Largest double below 1 and smallest above 0: where confidences and entropies are capped.
  const double belowOne = std::nextafter(1.0, 0.0), aboveZero = std::numeric_limits<double>::denorm_min();
  int32_t best = 0;
  for (int32_t k = 1; k < classes; ++k)
    if (z[k] > z[best]) best = k;
  // p_k = exp(s_k) / S with s_k = (z_k − z_max)/T <= 0, so every term is <= 1, S <= K
  // and 1/S >= 1/K exactly: t = 1/K always sends everyone out at the first exit.
  const double zmax = z[best];
  double sum = 0, weighted = 0;
  for (int64_t k = 0; k < classes; ++k) {
    double s = (static_cast<double>(z[k]) - zmax) * invT;
    double p = std::exp(s);
    sum += p;
    weighted += s * p;
  }
  // H = −Σ p_k log p_k = log S − Σ s_k e^{s_k} / S.
  const double entropy = (std::log(sum) - weighted / sum) / std::log(static_cast<double>(classes));
  return {std::min(1.0 / sum, belowOne), std::clamp(entropy, aboveZero, 1.0), best};
}

ExitReplay::ExitReplay(const LogitSet& logits, const std::vector<double>& temperatures)
    : exits_(logits.exits), instances_(logits.instances), classes_(logits.classes),
      labels_(logits.labels), confusion_(std::max<int64_t>(logits.classes, 1)) {
  if (logits.regression)
    throw std::invalid_argument("a regression run (one predicted value per exit) has no softmax confidences to exit on");
  if (exits_ < 1 || classes_ < 2) throw std::invalid_argument("ExitReplay needs at least one exit and two classes");
  if (static_cast<int64_t>(logits.logits.size()) != exits_ * instances_ * classes_ ||
      static_cast<int64_t>(labels_.size()) != instances_)
    throw std::invalid_argument("ExitReplay: logits or labels do not match [exits, instances, classes]");
  if (instances_ > static_cast<int64_t>(UINT32_MAX)) throw std::invalid_argument("ExitReplay: too many instances");
  const bool perInstance = static_cast<int64_t>(temperatures.size()) == exits_ * instances_ && instances_ != 1;
  if (!temperatures.empty() && static_cast<int64_t>(temperatures.size()) != exits_ && !perInstance)
    throw std::invalid_argument("ExitReplay: one temperature per exit, or per exit and instance, expected");
  const size_t cells = static_cast<size_t>(exits_ * instances_);
  confidence_.resize(cells);
  negEntropy_.resize(cells);
  prediction_.resize(cells);
  for (int64_t e = 0; e < exits_; ++e) {
    for (int64_t i = 0; i < instances_; ++i) {
      const double invT = temperatures.empty() ? 1.0
                          : perInstance        ? 1.0 / temperatures[static_cast<size_t>(e * instances_ + i)]
                                               : 1.0 / temperatures[static_cast<size_t>(e)];
      const float* z = logits.row(e, i);
      for (int64_t k = 0; k < classes_; ++k)
        if (!std::isfinite(z[k]))  // a diverged run: say so rather than replay garbage
          throw std::invalid_argument("non-finite logit at exit " + std::to_string(e + 1) +
                                      ", instance " + std::to_string(i));
      const ExitCertainty verdict = exitCertainty(z, classes_, invT);
      size_t at = index(e, i);
      confidence_[at] = verdict.confidence;
      negEntropy_[at] = -verdict.normalizedEntropy;
      prediction_[at] = verdict.prediction;
    }
  }
  assignment_.exitOf.assign(static_cast<size_t>(instances_), 0);
  assignment_.prediction.assign(static_cast<size_t>(instances_), 0);
  assignment_.exitCounts.assign(static_cast<size_t>(exits_), 0);
}

const ExitAssignment& ExitReplay::assignByCertainty(const std::vector<double>& certainty, double threshold) {
  std::fill(assignment_.exitCounts.begin(), assignment_.exitCounts.end(), 0);
  const int64_t last = exits_ - 1;
  const double* c = certainty.data();
  for (int64_t i = 0; i < instances_; ++i, c += exits_) {
    int64_t e = 0;
    while (!leavesAt(c[e], threshold, e == last)) ++e;
    assignment_.exitOf[static_cast<size_t>(i)] = static_cast<int32_t>(e);
    assignment_.prediction[static_cast<size_t>(i)] = prediction_[index(e, i)];
    ++assignment_.exitCounts[static_cast<size_t>(e)];
  }
  return assignment_;
}

const ExitAssignment& ExitReplay::assignConfidence(double threshold) {
  return assignByCertainty(confidence_, threshold);
}

const ExitAssignment& ExitReplay::assignEntropy(double maxNormalizedEntropy) {
  return assignByCertainty(negEntropy_, -maxNormalizedEntropy);
}

void ExitReplay::setLearnedScores(const std::vector<float>& scores) {
  if (static_cast<int64_t>(scores.size()) != exits_ * instances_)
    throw std::invalid_argument("learning-to-exit scores: " + std::to_string(scores.size()) + " values for " +
                                std::to_string(exits_) + " exits x " + std::to_string(instances_) + " instances");
  learned_.resize(scores.size());
  for (int64_t e = 0; e < exits_; ++e)
    for (int64_t i = 0; i < instances_; ++i) {
      const float v = scores[static_cast<size_t>(e * instances_ + i)];
      if (!std::isfinite(v))
        throw std::invalid_argument("non-finite learning-to-exit score at exit " + std::to_string(e + 1) + ", instance " +
                                    std::to_string(i));
      learned_[index(e, i)] = v;
    }
  learnedEventsBuilt_ = false;
}

const ExitAssignment& ExitReplay::assignLearned(double threshold) {
  if (learned_.empty()) throw std::invalid_argument("the learned exit rule needs learning-to-exit scores (none in this run)");
  return assignByCertainty(learned_, threshold);
}

const ExitAssignment& ExitReplay::assignPatience(int64_t agreeing) {
  if (agreeing < 1) throw std::invalid_argument("patience: at least one agreeing exit is needed");
  std::fill(assignment_.exitCounts.begin(), assignment_.exitCounts.end(), 0);
  const int64_t last = exits_ - 1;
  for (int64_t i = 0; i < instances_; ++i) {
    const int32_t* pred = prediction_.data() + index(0, i);
    int64_t run = 1, e = 0;  // run: consecutive exits up to e that agree with exit e
    while (run < agreeing && e < last) {
      ++e;
      run = pred[e] == pred[e - 1] ? run + 1 : 1;
    }
    assignment_.exitOf[static_cast<size_t>(i)] = static_cast<int32_t>(e);
    assignment_.prediction[static_cast<size_t>(i)] = pred[e];
    ++assignment_.exitCounts[static_cast<size_t>(e)];
  }
  return assignment_;
}

const ExitAssignment& ExitReplay::assignFixedExit(int64_t exit) {
  if (exit < 0 || exit >= exits_) throw std::out_of_range("assignFixedExit: no such exit");
  std::fill(assignment_.exitCounts.begin(), assignment_.exitCounts.end(), 0);
  for (int64_t i = 0; i < instances_; ++i) {
    assignment_.exitOf[static_cast<size_t>(i)] = static_cast<int32_t>(exit);
    assignment_.prediction[static_cast<size_t>(i)] = prediction_[index(exit, i)];
  }
  assignment_.exitCounts[static_cast<size_t>(exit)] = instances_;
  return assignment_;
}

const ExitAssignment& ExitReplay::assign(ExitRule rule, double parameter) {
  switch (rule) {
    case ExitRule::Confidence: return assignConfidence(parameter);
    case ExitRule::Entropy: return assignEntropy(parameter);
    case ExitRule::Patience: return assignPatience(static_cast<int64_t>(std::llround(parameter)));
    case ExitRule::Learned: return assignLearned(parameter);
  }
  throw std::invalid_argument("unknown exit rule");
}

double ExitReplay::score(const ExitAssignment& assignment, Metric metric) {
  if (metric == Metric::Accuracy) {  // the common case needs no confusion matrix
    int64_t correct = 0;
    for (int64_t i = 0; i < instances_; ++i)
      correct += assignment.prediction[static_cast<size_t>(i)] == labels_[static_cast<size_t>(i)];
    return instances_ == 0 ? 0 : static_cast<double>(correct) / static_cast<double>(instances_);
  }
  confusion_.clear();
  for (int64_t i = 0; i < instances_; ++i)
    confusion_.add(labels_[static_cast<size_t>(i)], assignment.prediction[static_cast<size_t>(i)]);
  return confusion_.score(metric);
}

void ExitReplay::buildEvents(const std::vector<double>& certainty, std::vector<ExitEvent>& out) const {
  // With the running maximum m_e = max(c_0..c_e), an instance leaves at the first e with
  // m_e >= t. Only exits where m strictly increases ("records") can ever be taken; crossing
  // a record's value moves the instance on to the next record, or to the last exit (the
  // fallback) after the final record.
  out.clear();
  out.reserve(static_cast<size_t>(instances_ * exits_));
  const int64_t last = exits_ - 1;
  for (int64_t i = 0; i < instances_; ++i) {
    const double* c = certainty.data() + index(0, i);
    double record = c[0];
    int64_t recordExit = 0;
    for (int64_t e = 1; e < exits_; ++e) {
      if (c[e] > record) {
        out.push_back({record, static_cast<uint32_t>(i), static_cast<int32_t>(e)});
        record = c[e];
        recordExit = e;
      }
    }
    if (recordExit != last) out.push_back({record, static_cast<uint32_t>(i), static_cast<int32_t>(last)});
  }
  std::sort(out.begin(), out.end(), [](const ExitEvent& a, const ExitEvent& b) { return a.value < b.value; });
}

const std::vector<ExitEvent>& ExitReplay::events(ExitRule rule) {
  if (rule == ExitRule::Confidence) {
    if (!confidenceEventsBuilt_) buildEvents(confidence_, confidenceEvents_);
    confidenceEventsBuilt_ = true;
    return confidenceEvents_;
  }
  if (rule == ExitRule::Entropy) {
    if (!entropyEventsBuilt_) buildEvents(negEntropy_, entropyEvents_);
    entropyEventsBuilt_ = true;
    return entropyEvents_;
  }
  if (rule == ExitRule::Learned) {
    if (learned_.empty()) throw std::invalid_argument("the learned exit rule needs learning-to-exit scores (none in this run)");
    if (!learnedEventsBuilt_) buildEvents(learned_, learnedEvents_);
    learnedEventsBuilt_ = true;
    return learnedEvents_;
  }
  throw std::invalid_argument("events: the patience rule has no threshold to sweep");
}

}  // namespace sweet::analysis
