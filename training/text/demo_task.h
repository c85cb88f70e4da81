// The built-in demo task: generated movie-review-like sentences whose label (negative /
// positive) is decided at three levels of difficulty, so early exits visibly matter:
//   easy      one sentiment word, no negation ("the plot was great")
//   negation  one sentiment clause, negated or not, beside a neutral clause that carries
//             the negation otherwise ("the plot was great but the film was not long"):
//             "not" is always there, only its scope decides
//   counting  three clauses, some negated; the label is the majority polarity
//             ("great acting but the plot was not good and the music was dull")
// Nothing is downloaded; the same seed always gives the same data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "training/text/text_dataset.h"

namespace sweet {

enum class DemoDifficulty { Easy = 0, Negation = 1, Counting = 2 };

struct DemoExample {
  TextExample example;
  DemoDifficulty difficulty;
};

// The seed of the demo's evaluation set: fixed, so every run (any training seed) is scored
// on the same instances and tools can regenerate them from the run file alone.
inline constexpr uint64_t kDemoEvalSeed = 777;

std::vector<DemoExample> generateDemoExamples(int64_t count, uint64_t seed);
TaskSpec demoTaskSpec();
// Every word the generator can emit, for building the demo model's vocabulary.
std::vector<std::string> demoVocabularyWords();

}  // namespace sweet
