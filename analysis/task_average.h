// The average over tasks of one number (an exit's score, the score at a cost fraction), as
// the paper reports it in Table 1 and Figs. 4, 5 and 7: per seed the mean over tasks (seeds
// matched by their number), then mean, sample std and 95% CI over those per-seed averages;
// metrics as they are (CoLA's MCC included). The report's task-average table and the GUI's
// average panel both call it, so the two cannot disagree.
#pragma once

#include "seed_statistics.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace sweet::analysis {

// One task's value of the number in each of its runs.
struct TaskValues {
  std::vector<int64_t> seeds;                 // [run]
  std::vector<std::optional<double>> values;  // [run]; absent where a run has none (a cost its curve does not reach)
};

// The seeds every task has, ascending, each once: the spread of the average is over these.
std::vector<int64_t> sharedSeeds(const std::vector<TaskValues>& tasks);

// Over the shared seeds: per seed the mean over tasks of that seed's value (a task's first
// run with it), summarised; nullopt where one of those values is absent. With no shared
// seed: the mean over tasks of each task's mean over its runs, without a spread (n = 1);
// nullopt where some run has no value. nullopt for no tasks.
std::optional<SeedSummary> averageOverTasks(const std::vector<TaskValues>& tasks);

}  // namespace sweet::analysis
