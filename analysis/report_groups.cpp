// Which runs the report pools as seeds of one experiment, the order groups are listed in,
// and which group stands for a method on a task. See report_stages.h.
#include "report_stages.h"

#include "run_naming.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace sweet::analysis::report_stages {

namespace {

std::string groupKey(const RunData& run, const std::vector<std::string>& by) {
  std::string key;
  for (const std::string& field : by) {
    if (field == "method") key += run.method;
    else if (field == "task") key += run.task;
    else if (field == "lr") key += formatLearningRate(run.learningRate);
    else if (field == "model") key += modelDisplayName(run);
    else if (field == "cap") key += std::to_string(trainCapOf(run));
    else throw std::runtime_error("unknown --by key '" + field + "' (expected method, task, lr, model or cap)");
    key += '\x1f';
  }
  return key;
}

}  // namespace

int64_t trainCapOf(const RunData& run) {
  if (run.config.is_object() && run.config.contains("train_cap") && run.config["train_cap"].is_number_integer())
    return run.config["train_cap"].get<int64_t>();
  return 0;
}

Grouping groupRuns(const std::vector<RunData>& runs, const std::vector<std::string>& by) {
  Grouping grouping;
  if (by.empty()) {
    grouping.members = groupBySeed(runs);
    grouping.words = "runs whose configs differ only in seed, output paths and checkpoint folder";
    return grouping;
  }
  std::map<std::string, size_t> index;
  for (size_t r = 0; r < runs.size(); ++r) {
    auto [it, inserted] = index.emplace(groupKey(runs[r], by), grouping.members.size());
    if (inserted) grouping.members.emplace_back();
    grouping.members[it->second].push_back(r);
  }
  grouping.words = "runs with equal";
  for (const std::string& field : by) grouping.words += " " + field;
  return grouping;
}

void sortGroups(std::vector<GroupReport>& groups) {
  std::stable_sort(groups.begin(), groups.end(), [](const GroupReport& a, const GroupReport& b) {
    if (a.task != b.task) return a.task < b.task;
    if (a.model != b.model) return a.model < b.model;
    if (a.method != b.method)
      return methodRank(a.method) != methodRank(b.method) ? methodRank(a.method) < methodRank(b.method)
                                                          : a.method < b.method;  // "ee" before "ee (lte joint)"
    if (a.trainCap != b.trainCap) return a.trainCap < b.trainCap;
    return a.learningRate.value_or(0) < b.learningRate.value_or(0);
  });
}

const GroupReport* pickGroup(const std::vector<GroupReport>& groups, const std::vector<LrSelection>& selections,
                             const std::string& model, const std::string& task, const std::string& method, int64_t cap) {
  std::optional<double> chosen;
  for (const LrSelection& s : selections)
    if (s.model == model && s.task == task && s.method == method && s.trainCap == cap) chosen = s.chosenLearningRate();
  const GroupReport* first = nullptr;
  for (const GroupReport& g : groups) {
    if (g.model != model || g.task != task || g.method != method || g.trainCap != cap) continue;
    if (!first) first = &g;
    if (chosen && g.learningRate && *g.learningRate == *chosen) return &g;
  }
  return first;
}

}  // namespace sweet::analysis::report_stages
