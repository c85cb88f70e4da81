// The average over tasks: see task_average.h; formula in docs/formulas.md.
#include "task_average.h"

#include <algorithm>

namespace sweet::analysis {

namespace {

std::optional<double> valueOfSeed(const TaskValues& task, int64_t seed) {
  const auto run = std::find(task.seeds.begin(), task.seeds.end(), seed) - task.seeds.begin();
  return task.values[static_cast<size_t>(run)];
}

// No seed in common: each task's own seed mean, averaged; no spread to report.
std::optional<SeedSummary> meanOfTaskMeans(const std::vector<TaskValues>& tasks) {
  double sum = 0;
  for (const TaskValues& task : tasks) {
    const std::optional<SeedSummary> mean = summarizeAll(task.values);
    if (!mean) return std::nullopt;
    sum += mean->mean;
  }
  return summarize({sum / static_cast<double>(tasks.size())});
}

}  // namespace

std::vector<int64_t> sharedSeeds(const std::vector<TaskValues>& tasks) {
  std::vector<int64_t> seeds;
  if (tasks.empty()) return seeds;
  for (int64_t seed : tasks.front().seeds) {
    bool everywhere = true;
    for (const TaskValues& task : tasks)
      everywhere = everywhere && std::find(task.seeds.begin(), task.seeds.end(), seed) != task.seeds.end();
    if (everywhere && std::find(seeds.begin(), seeds.end(), seed) == seeds.end()) seeds.push_back(seed);
  }
  std::sort(seeds.begin(), seeds.end());
  return seeds;
}

std::optional<SeedSummary> averageOverTasks(const std::vector<TaskValues>& tasks) {
  if (tasks.empty()) return std::nullopt;
  const std::vector<int64_t> seeds = sharedSeeds(tasks);
  if (seeds.empty()) return meanOfTaskMeans(tasks);
  std::vector<double> perSeed;
  for (int64_t seed : seeds) {
    double sum = 0;
    for (const TaskValues& task : tasks) {
      const std::optional<double> v = valueOfSeed(task, seed);
      if (!v) return std::nullopt;
      sum += *v;
    }
    perSeed.push_back(sum / static_cast<double>(tasks.size()));
  }
  return summarize(perSeed);
}

}  // namespace sweet::analysis
