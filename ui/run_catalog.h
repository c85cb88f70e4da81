// The runs panel's model, kept free of Qt so its rules can be read and tested alone: every
// open run with its config keys as columns, which runs are shown (not hidden, and matching
// the filter), how shown runs are pooled into series (by the chosen keys; seeds pooled by
// default), each group's name, and the labels legends use. A label names only the keys
// that vary among the groups being compared ("EE · lr 2e-5 · cap 2000"); the keys they
// share are said once, in a caption, so twenty runs do not each repeat a dozen settings.
#pragma once

#include "analysis/run_data.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sweet::ui {

// "ee" -> "EE", "pcgrad" -> "PCGrad": how a method is written in labels, tables and legends.
std::string methodDisplayName(const std::string& method);

struct CatalogRun {
  std::string path, name, task, method, status;
  // Flattened config ("lte.enabled"), output locations and thread counts left out (they
  // never separate experiments), the seed kept; model paths reduced to their folder name.
  std::map<std::string, std::string> keys;
};

// One series as the curve view draws it: a task's runs that agree on every grouping key.
struct RunGroup {
  std::string key;    // identity: task, method and the grouping keys' values
  std::string task, method;
  std::string label;  // a rename, else the varying keys (see RunCatalog::groups)
  int variant = 0;    // its index among the listed groups of its method (line style)
  std::vector<std::string> paths;  // its runs, in the order they were opened
};

class RunCatalog {
 public:
  // Which runs a question is about: those the filter lets through (the panel lists them),
  // or those also not hidden (the plot draws them).
  enum class Scope { Listed, Shown };

  // Keeps hidden runs, renames, the filter and the grouping across calls (a live run's
  // re-read must not undo what the user set).
  void setRuns(const std::vector<const analysis::RunData*>& runs);
  const std::vector<CatalogRun>& runs() const { return runs_; }
  // Index of the run with this path, or nullopt.
  std::optional<size_t> find(const std::string& path) const;

  // task, method, learning rate and seed always, then every other key whose value differs
  // between some two runs (a key no run has counts as "-").
  std::vector<std::string> columns() const;
  // Every key some run has (what one can group by).
  std::vector<std::string> keyNames() const;
  // The value as a cell shows it ("2e-5", "EE", "bert-base-uncased"); "-" when absent.
  std::string cellText(size_t run, const std::string& key) const;

  // Case-insensitive substring of the run's name, path or any key's value; "" lets all
  // through. Several words must all match ("sweet 2e-5").
  void setFilter(const std::string& text) { filter_ = text; }
  const std::string& filter() const { return filter_; }
  bool matchesFilter(size_t run) const;
  void setRunHidden(const std::string& path, bool hidden);
  bool isRunHidden(const std::string& path) const { return hidden_.count(path) > 0; }
  bool isShown(size_t run) const;

  // The keys runs are pooled by besides task and method (always: one plot per task, one
  // cost model per method); empty: every key but the seed, which pools seeds as
  // analysis::groupBySeed does.
  void setGroupBy(std::vector<std::string> keys) { groupBy_ = std::move(keys); }
  const std::vector<std::string>& groupBy() const { return groupBy_; }
  std::string groupKey(size_t run) const;
  // The name legends and exports use for the group with this key; "" returns to the label.
  void renameGroup(const std::string& groupKey, const std::string& name);
  std::optional<std::string> groupName(const std::string& groupKey) const;

  // Tasks of the runs in scope, in the order they were first opened.
  std::vector<std::string> tasks(Scope scope = Scope::Shown) const;
  // The groups of the runs in scope, of one task ("" for all), in the order they were
  // first opened. Labels use only the grouping keys whose values differ among these
  // groups (method first, then learning rate, cap, the rest by name); a group that shares
  // all of them with the others is called by its method.
  std::vector<RunGroup> groups(const std::string& task, Scope scope = Scope::Shown) const;
  // The keys every run in scope of `task` shares, once ("rte · EE · cap 2000"), leaving
  // out the seed, keys that vary and keys that are empty. `headline`: only the keys that
  // name an experiment (task, method, lr, cap, model, LTE, precision, α), for a figure's
  // caption, where every shared default would outgrow the plot.
  std::string caption(const std::string& task, Scope scope = Scope::Shown, bool headline = false) const;

  // One key's value as a label part: "lr 2e-5", "cap 2000", "LTE", "EE", "bf16", "α 0",
  // "weights [1, 0.5, 0.5, 2]"; "" for a conflict remedy at its default (α 1, uniform
  // weights), so labels read like the report's methodLabel ("EE", not "EE · α 1").
  static std::string labelPart(const std::string& key, const std::string& value);
  // A column's title: "lr", "cap", "LTE", "α", "weights", else the key itself.
  static std::string columnTitle(const std::string& key);

 private:
  bool inScope(size_t run, Scope scope) const { return scope == Scope::Listed ? matchesFilter(run) : isShown(run); }
  std::vector<std::string> identityKeys(size_t run) const;
  std::string value(size_t run, const std::string& key) const;

  std::vector<CatalogRun> runs_;
  std::set<std::string> hidden_;  // by path
  std::map<std::string, std::string> names_;  // group key -> name
  std::vector<std::string> groupBy_;
  std::string filter_;
};

}  // namespace sweet::ui
