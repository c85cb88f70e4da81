// Per-task curves and their average: see task_panels_model.h.
#include "ui/task_panels_model.h"

#include "analysis/run_naming.h"
#include "analysis/speed_accuracy_curve.h"
#include "analysis/task_average.h"
#include "training/text/task_spec.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

namespace sweet::ui {
namespace {

std::string taskOf(const RunPtr& run) { return run->data.task.empty() ? std::string("?") : run->data.task; }

// Paper order first (GLUE names as glueTaskNames lists them), then the rest by name.
size_t taskRank(const std::string& task) {
  const std::vector<std::string> order = glueTaskNames();
  const auto it = std::find(order.begin(), order.end(), task);
  return it == order.end() ? order.size() : static_cast<size_t>(it - order.begin());
}

}  // namespace

std::optional<double> taskAverageAt(const TaskAverageSeries& series, double cost) {
  std::vector<analysis::TaskValues> tasks;
  for (const CurveSeries* s : series.members) {
    analysis::TaskValues task;
    for (size_t run = 0; run < s->seedCurves.size(); ++run) {
      task.seeds.push_back(s->runs[run]->data.seed);
      task.values.push_back(analysis::scoreAtCost(s->seedCurves[run], cost));
    }
    tasks.push_back(std::move(task));
  }
  const auto average = analysis::averageOverTasks(tasks);
  return average ? std::optional<double>(average->mean) : std::nullopt;
}

void TaskPanelsModel::build(const std::vector<RunPtr>& runs, const CurveOptions& options,
                            const std::function<bool()>& stop) {
  panels_.clear();
  average_.clear();
  notes_.clear();
  std::map<std::string, std::vector<RunPtr>> byTask;
  for (const RunPtr& run : runs) byTask[taskOf(run)].push_back(run);
  for (auto& [task, taskRuns] : byTask) {
    TaskPanel panel;
    panel.task = task;
    panel.curves = std::make_unique<CurveModel>();
    panel.curves->build(taskRuns, options, std::nullopt, stop);
    if (stop && stop()) return;
    for (const std::string& note : panel.curves->notes()) notes_.push_back(task + ": " + note);
    if (panel.curves->size() > 0) panels_.push_back(std::move(panel));
  }
  std::stable_sort(panels_.begin(), panels_.end(), [](const TaskPanel& a, const TaskPanel& b) {
    return std::make_pair(taskRank(a.task), a.task) < std::make_pair(taskRank(b.task), b.task);
  });
  if (panels_.size() < 2) return;

  // Series by label; averaged only where every task has one (a method trained on some
  // tasks only would otherwise pull the average towards the tasks it has).
  std::map<std::string, std::vector<const CurveSeries*>> byLabel;
  for (const TaskPanel& panel : panels_)
    for (const auto& s : panel.curves->series()) byLabel[s->label].push_back(s.get());
  for (const auto& [label, members] : byLabel) {
    if (members.size() != panels_.size()) {
      notes_.push_back("average: " + label + " is in " + std::to_string(members.size()) + " of " +
                       std::to_string(panels_.size()) + " tasks, not averaged");
      continue;
    }
    std::vector<const analysis::Curve*> curves;
    for (const CurveSeries* s : members)
      for (const analysis::Curve& c : s->seedCurves) curves.push_back(&c);
    const auto range = analysis::sharedCostRange(curves);
    if (!range) {
      notes_.push_back("average: the tasks' " + label + " curves share no cost range");
      continue;
    }
    TaskAverageSeries avg;
    avg.label = label;
    avg.method = members.front()->method;
    avg.variant = members.front()->variant;
    for (const TaskPanel& panel : panels_) avg.tasks.push_back(panel.task);
    avg.members = members;
    for (double x : analysis::costGrid(*range)) {
      const auto v = taskAverageAt(avg, x);
      if (!v) continue;  // not inside the range every curve covers: never a partial average
      avg.cost.push_back(x);
      avg.score.push_back(*v);
    }
    average_.push_back(std::move(avg));
  }
  std::stable_sort(average_.begin(), average_.end(), [](const TaskAverageSeries& a, const TaskAverageSeries& b) {
    return std::make_tuple(analysis::methodRank(a.method), a.variant, a.label) <
           std::make_tuple(analysis::methodRank(b.method), b.variant, b.label);
  });
}

}  // namespace sweet::ui
