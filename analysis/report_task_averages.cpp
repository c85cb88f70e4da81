// The report's averages over tasks (Table 1's average row, the fixed-cost points of Figs.
// 4, 5 and 7): which group stands for each task, and the average of every exit's score and
// every fixed-cost score through averageOverTasks (task_average.h). See report_stages.h.
#include "report_stages.h"

#include "task_average.h"

#include <algorithm>
#include <tuple>

namespace sweet::analysis::report_stages {

namespace {

// Each task of (model, method, cap) once, at its chosen learning rate, in report order.
std::vector<const GroupReport*> chosenGroups(const Report& report, const std::string& model, const std::string& method,
                                             int64_t cap) {
  std::vector<const GroupReport*> chosen;
  for (const GroupReport& g : report.groups) {
    if (g.model != model || g.method != method || g.trainCap != cap) continue;
    const bool seen = std::any_of(chosen.begin(), chosen.end(), [&](const GroupReport* c) { return c->task == g.task; });
    if (!seen) chosen.push_back(pickGroup(report.groups, report.learningRates, model, g.task, method, cap));
  }
  return chosen;
}

// One number of every task's runs: `value(group, run)`.
template <typename ValueOf>
std::vector<TaskValues> taskValues(const std::vector<const GroupReport*>& chosen, ValueOf value) {
  std::vector<TaskValues> tasks;
  for (const GroupReport* g : chosen) {
    TaskValues t{g->seeds, {}};
    for (size_t run = 0; run < g->seeds.size(); ++run) t.values.push_back(value(*g, run));
    tasks.push_back(std::move(t));
  }
  return tasks;
}

// The per-task means shown beside the average.
void addTaskMeans(TaskAverage& avg, const GroupReport& g) {
  std::vector<double> exits;
  for (const SeedSummary& s : g.perExit) exits.push_back(s.mean);
  avg.perExitByTask.push_back(exits);
  std::vector<std::optional<double>> points;
  for (const auto& s : g.atCost) points.push_back(s ? std::optional<double>(s->mean) : std::nullopt);
  avg.atCostByTask.push_back(points);
}

void averageScores(TaskAverage& avg, const std::vector<const GroupReport*>& chosen) {
  for (size_t e = 0; e < avg.exitLayers.size(); ++e)  // every run has every exit's score
    avg.perExit.push_back(*averageOverTasks(taskValues(chosen, [e](const GroupReport& g, size_t run) {
      return std::optional<double>(g.perExitValues[e][run]);
    })));
  for (size_t f = 0; f < avg.costFractions.size(); ++f)
    avg.atCost.push_back(averageOverTasks(
        taskValues(chosen, [f](const GroupReport& g, size_t run) { return g.atCostValues[f][run]; })));
}

// nullopt, with a note, where the tasks' runs differ in exits or depth.
std::optional<TaskAverage> taskAverage(const std::vector<const GroupReport*>& chosen, const std::string& model,
                                       const std::string& method, int64_t cap, std::vector<std::string>& notes) {
  TaskAverage avg;
  avg.model = model;
  avg.method = method;
  avg.trainCap = cap;
  avg.exitLayers = chosen.front()->exitLayers;
  avg.costFractions = chosen.front()->costFractions;
  for (const GroupReport* g : chosen) {
    avg.tasks.push_back(g->task);
    if (g->exitLayers != avg.exitLayers || g->costFractions != avg.costFractions) {
      notes.push_back("no task average for " + model + " " + method + ": the tasks' runs differ in exits or depth");
      return std::nullopt;
    }
  }
  avg.seeds = sharedSeeds(taskValues(chosen, [](const GroupReport&, size_t) { return std::optional<double>(); }));
  if (avg.seeds.empty())
    notes.push_back("task average of " + model + " " + method +
                    ": no seed is shared by every task, so it has no seed spread (mean of the task means)");
  for (const GroupReport* g : chosen) addTaskMeans(avg, *g);
  averageScores(avg, chosen);
  return avg;
}

}  // namespace

void addTaskAverages(Report& report) {
  std::vector<std::tuple<std::string, std::string, int64_t>> keys;
  for (const GroupReport& g : report.groups) {
    auto key = std::make_tuple(g.model, g.method, g.trainCap);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  for (const auto& [model, method, cap] : keys) {
    const std::vector<const GroupReport*> chosen = chosenGroups(report, model, method, cap);
    if (chosen.size() < 2) continue;
    if (auto avg = taskAverage(chosen, model, method, cap, report.notes)) report.taskAverages.push_back(std::move(*avg));
  }
}

}  // namespace sweet::analysis::report_stages
