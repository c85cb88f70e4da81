// Data behind the per-task figure (the paper's Figs. 6 and 10): the runs split by task,
// one CurveModel per task (methods as series, seeds pooled into mean and 95% CI), and the
// average over tasks (Figs. 4 and 5) of every series present in each task, computed by the
// report's own function (analysis::averageOverTasks: per seed the mean over tasks, CoLA's
// MCC included as is). Qt-free, like CurveModel.
#pragma once

#include "ui/curve_model.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sweet::ui {

struct TaskPanel {
  std::string task;
  std::unique_ptr<CurveModel> curves;
};

// One series averaged over the tasks: at each cost fraction of a grid spanning the range
// every seed of every task reaches, the average over tasks there (the report's
// task-average fixed-cost points, sampled densely).
struct TaskAverageSeries {
  std::string label, method;
  int variant = 0;
  std::vector<std::string> tasks;   // the tasks averaged
  std::vector<const CurveSeries*> members;  // [task] the series averaged (owned by the panels)
  std::vector<double> cost, score;  // sampled for drawing
};

// The average at one cost fraction, computed exactly (not read off the samples) by
// analysis::averageOverTasks from each seed's curve; nullopt where a seed it needs does not
// reach it.
std::optional<double> taskAverageAt(const TaskAverageSeries& series, double cost);

class TaskPanelsModel {
 public:
  // Groups `runs` by their task (runs without one are grouped as "?") in
  // the paper's order (sst2 mrpc cola rte qnli qqp mnli, then others by name). `stop`
  // returning true ends the build early (a superseded background build), leaving it partial.
  void build(const std::vector<RunPtr>& runs, const CurveOptions& options = {},
             const std::function<bool()>& stop = {});
  const std::vector<TaskPanel>& panels() const { return panels_; }
  // Series (by label) found in every panel, averaged; empty with fewer than two tasks.
  const std::vector<TaskAverageSeries>& average() const { return average_; }
  // Why runs or series were left out (per task: no evaluation, refused by the analysis;
  // series missing from some task, so not averaged).
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  std::vector<TaskPanel> panels_;
  std::vector<TaskAverageSeries> average_;
  std::vector<std::string> notes_;
};

}  // namespace sweet::ui
