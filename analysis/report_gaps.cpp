// The gaps the paper discusses: MM − EE and SWEET − EE per exit, per task and for the task
// averages, each method at its chosen learning rate. See report_stages.h.
#include "report_stages.h"

#include <algorithm>
#include <tuple>

namespace sweet::analysis::report_stages {

namespace {

// The methods compared with EE, in report order (methodRank).
constexpr const char* kComparedMethods[] = {"mm", "sweet"};

// Per exit: mean(other) − mean(EE); absent throughout unless both have as many exits and
// `comparable` holds.
std::vector<std::optional<double>> perExitGap(const std::vector<SeedSummary>& ee, const std::vector<SeedSummary>& other,
                                              bool comparable) {
  std::vector<std::optional<double>> gap;
  for (size_t e = 0; e < ee.size(); ++e)
    gap.push_back(comparable && other.size() == ee.size() ? std::optional<double>(other[e].mean - ee[e].mean)
                                                          : std::nullopt);
  return gap;
}

}  // namespace

void addTaskGaps(Report& report) {
  std::vector<std::tuple<std::string, std::string, int64_t>> seen;
  for (const GroupReport& g : report.groups) {
    const auto key = std::make_tuple(g.model, g.task, g.trainCap);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    const GroupReport* ee = pickGroup(report.groups, report.learningRates, g.model, g.task, "ee", g.trainCap);
    if (!ee) continue;
    for (const char* method : kComparedMethods) {
      const GroupReport* other = pickGroup(report.groups, report.learningRates, g.model, g.task, method, g.trainCap);
      if (other)
        report.gaps.push_back({g.model, g.task, method, g.trainCap, perExitGap(ee->perExit, other->perExit, true)});
    }
  }
}

void addAverageGaps(Report& report) {
  for (const TaskAverage& ee : report.taskAverages) {
    if (ee.method != "ee") continue;
    for (const char* method : kComparedMethods)
      for (const TaskAverage& other : report.taskAverages)
        if (other.method == method && other.model == ee.model && other.trainCap == ee.trainCap)
          report.gaps.push_back(
              {ee.model, "average", method, ee.trainCap, perExitGap(ee.perExit, other.perExit, other.tasks == ee.tasks)});
  }
}

}  // namespace sweet::analysis::report_stages
