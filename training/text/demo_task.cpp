// Demo task generator: see demo_task.h.
#include "training/text/demo_task.h"

#include <algorithm>
#include <random>

namespace sweet {
namespace {

const std::vector<std::string> kPositive = {"great", "good", "excellent", "wonderful", "superb", "brilliant", "charming", "moving"};
const std::vector<std::string> kNegative = {"awful", "bad", "terrible", "boring", "dull", "weak", "clumsy", "tedious"};
const std::vector<std::string> kSubjects = {"the plot", "the acting", "the music", "the script", "the ending",
                                            "the cast", "the film", "the story", "the direction", "the dialogue"};
const std::vector<std::string> kVerbs = {"was", "is", "seemed", "felt"};
const std::vector<std::string> kIntensifiers = {"", "", "really", "quite", "very", "truly"};
const std::vector<std::string> kConnectives = {"but", "and", "while", "although"};
const std::vector<std::string> kNegators = {"not", "never"};
// Neither positive nor negative: negating them changes nothing, so a "not" in the sentence
// only flips the label when it governs the sentiment word (negation scope).
const std::vector<std::string> kNeutral = {"long", "short", "new", "familiar", "loud", "quiet", "colorful", "simple"};

template <typename T>
const T& pick(const std::vector<T>& v, std::mt19937_64& rng) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

// One clause with the given polarity (+1 / -1); negated clauses use the opposite word.
std::string clause(int polarity, bool negated, std::mt19937_64& rng) {
  const bool positiveWord = (polarity > 0) != negated;
  std::string s = pick(kSubjects, rng) + " " + pick(kVerbs, rng);
  if (negated) s += " " + pick(kNegators, rng);
  const std::string& intensifier = pick(kIntensifiers, rng);
  if (!intensifier.empty()) s += " " + intensifier;
  return s + " " + pick(positiveWord ? kPositive : kNegative, rng);
}

}  // namespace

TaskSpec demoTaskSpec() {
  TaskSpec t;
  t.name = "demo";
  t.label_names = {"negative", "positive"};
  t.metric = "accuracy";
  return t;
}

std::vector<DemoExample> generateDemoExamples(int64_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<DemoExample> out;
  out.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    DemoExample d;
    const double u = unit(rng);
    d.difficulty = u < 0.4 ? DemoDifficulty::Easy : u < 0.7 ? DemoDifficulty::Negation : DemoDifficulty::Counting;
    int label = unit(rng) < 0.5 ? 1 : -1;
    std::string text;
    if (d.difficulty == DemoDifficulty::Easy) {
      text = clause(label, false, rng);
    } else if (d.difficulty == DemoDifficulty::Negation) {
      // The sentiment clause is negated or not; a neutral clause beside it carries a
      // negation whenever the sentiment clause does not, so "not" is always present and
      // only its scope decides the label.
      const bool negated = unit(rng) < 0.5;
      const std::string main = clause(label, negated, rng);
      std::string distractor = pick(kSubjects, rng) + " " + pick(kVerbs, rng);
      if (!negated || unit(rng) < 0.5) distractor += " " + pick(kNegators, rng);
      distractor += " " + pick(kNeutral, rng);
      const std::string& connective = pick(kConnectives, rng);
      text = unit(rng) < 0.5 ? main + " " + connective + " " + distractor : distractor + " " + connective + " " + main;
    } else {
      // Three clauses, two of the label's polarity and one against it, in random order,
      // each negated with probability 1/2: only their composition decides the label.
      std::vector<int> polarities = {label, label, -label};
      std::shuffle(polarities.begin(), polarities.end(), rng);
      for (size_t c = 0; c < polarities.size(); ++c) {
        if (c > 0) text += " " + pick(kConnectives, rng) + " ";
        text += clause(polarities[c], unit(rng) < 0.5, rng);
      }
    }
    d.example.text_a = text;
    d.example.label = label > 0 ? 1 : 0;
    d.example.line = i + 1;
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<std::string> demoVocabularyWords() {
  std::vector<std::string> words;
  auto addAll = [&](const std::vector<std::string>& v) {
    for (const auto& phrase : v) {
      size_t start = 0;
      while (start < phrase.size()) {
        size_t end = phrase.find(' ', start);
        if (end == std::string::npos) end = phrase.size();
        if (end > start) words.push_back(phrase.substr(start, end - start));
        start = end + 1;
      }
    }
  };
  for (const auto* v : {&kPositive, &kNegative, &kSubjects, &kVerbs, &kIntensifiers, &kConnectives, &kNegators, &kNeutral})
    addAll(*v);
  return words;
}

}  // namespace sweet
