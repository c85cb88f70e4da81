// The runs panel's model: see run_catalog.h.
#include "ui/run_catalog.h"

#include "analysis/run_naming.h"
#include "analysis/run_state.h"
#include "analysis/seed_statistics.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace sweet::ui {

std::string methodDisplayName(const std::string& method) {
  if (method == "pcgrad") return "PCGrad";  // as Yu et al. 2020 write it
  std::string out = method;
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

namespace {

const char* const kSep = " · ";

void flatten(const nlohmann::json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out);
    return;
  }
  out[prefix] = j.is_string() ? j.get<std::string>() : j.dump();
}

// A dotted key matches an ignored name by its last segments ("x.output_dir").
bool ignored(const std::string& key) {
  if (key == "seed") return false;  // a column and a grouping choice, pooled by default
  for (const std::string& name : analysis::defaultIgnoredConfigKeys())
    if (key == name || (key.size() > name.size() && key.compare(key.size() - name.size(), name.size(), name) == 0 &&
                        key[key.size() - name.size() - 1] == '.'))
      return true;
  return false;
}

// Where a key sits in labels, captions and columns: the settings people compare most first.
int keyRank(const std::string& key) {
  static const char* const order[] = {"task", "method", "learning_rate", "train_cap", "model",
                                      "lte.enabled", "precision", "sweet_alpha"};
  for (int i = 0; i < 8; ++i)
    if (key == order[i]) return i;
  return key == "seed" ? 1000 : 100;
}

void sortKeys(std::vector<std::string>& keys) {
  std::stable_sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
    const int ra = keyRank(a), rb = keyRank(b);
    return ra != rb ? ra < rb : a < b;
  });
}

std::optional<double> number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts)
    if (!p.empty()) out += (out.empty() ? "" : kSep) + p;
  return out;
}

// A flattened list value ("[1.0,0.5]") as labels print it ("[1, 0.5]"); nullopt otherwise.
std::optional<std::string> listText(const std::string& value) {
  if (value.empty() || value.front() != '[') return std::nullopt;
  const nlohmann::json parsed = nlohmann::json::parse(value, nullptr, /*allow_exceptions*/ false);
  if (!parsed.is_array()) return std::nullopt;
  return analysis::labelValueText(parsed);
}

// A remedy key at its default says nothing a plain run's method name does not ("EE", not
// "EE · α 1 · weights uniform"); absent is the default too (files from before the key).
bool remedyDefault(const std::string& key, const std::string& value) {
  if (key == "sweet_alpha") return value == "-" || number(value) == 1.0;
  if (key == "exit_loss_weights") return value == "-" || value == "uniform";
  return false;
}

}  // namespace

std::string RunCatalog::columnTitle(const std::string& key) {
  if (key == "learning_rate") return "lr";
  if (key == "train_cap") return "cap";
  if (key == "lte.enabled") return "LTE";
  if (key == "sweet_alpha") return "α";
  if (key == "exit_loss_weights") return "weights";
  return key;
}

std::string RunCatalog::labelPart(const std::string& key, const std::string& value) {
  if (key == "method") return methodDisplayName(value);
  if (key == "task" || key == "model" || key == "precision") return value;
  if (value == "true") return columnTitle(key);
  if (value == "false") return "no " + columnTitle(key);
  if (remedyDefault(key, value)) return "";
  const auto n = number(value);
  const std::string text = listText(value).value_or(value);
  const std::string shown = n ? analysis::compactNumber(*n) : text.size() > 24 ? text.substr(0, 21) + "..." : text;
  return columnTitle(key) + " " + shown;
}

void RunCatalog::setRuns(const std::vector<const analysis::RunData*>& runs) {
  runs_.clear();
  for (const analysis::RunData* data : runs) {
    CatalogRun run;
    run.path = data->path;
    run.name = data->runName.empty() ? data->path : data->runName;
    run.task = data->task;
    run.method = data->method;
    run.status = runStateName(data->status.state);
    if (!data->evalDone && data->interimEvals > 0) run.status += " (interim eval)";
    std::map<std::string, std::string> flat;
    if (data->config.is_object()) flatten(data->config, "", flat);
    for (auto& [k, v] : flat)
      if (!ignored(k)) run.keys[k] = (k == "model" || k == "data_dir") ? analysis::modelFolderName(v) : v;
    // The file's own fields win: a config written before a key existed still has a task.
    run.keys["task"] = data->task;
    run.keys["method"] = data->method;
    runs_.push_back(std::move(run));
  }
}

std::optional<size_t> RunCatalog::find(const std::string& path) const {
  for (size_t i = 0; i < runs_.size(); ++i)
    if (runs_[i].path == path) return i;
  return std::nullopt;
}

std::string RunCatalog::value(size_t run, const std::string& key) const {
  const auto& keys = runs_.at(run).keys;
  const auto it = keys.find(key);
  return it == keys.end() ? "-" : it->second;
}

std::vector<std::string> RunCatalog::keyNames() const {
  std::set<std::string> names;
  for (const CatalogRun& r : runs_)
    for (const auto& [k, v] : r.keys) names.insert(k);
  std::vector<std::string> out(names.begin(), names.end());
  sortKeys(out);
  return out;
}

std::vector<std::string> RunCatalog::columns() const {
  std::vector<std::string> out = {"task", "method", "learning_rate", "seed"};
  for (const std::string& key : keyNames()) {
    if (std::find(out.begin(), out.end(), key) != out.end()) continue;
    std::set<std::string> values;
    for (size_t r = 0; r < runs_.size(); ++r) values.insert(value(r, key));
    if (values.size() > 1) out.push_back(key);
  }
  sortKeys(out);
  return out;
}

std::string RunCatalog::cellText(size_t run, const std::string& key) const {
  const std::string v = value(run, key);
  if (v == "-") return v;
  if (key == "method") return methodDisplayName(v);
  if (v == "true") return "on";
  if (v == "false") return "off";
  const auto n = number(v);
  return n && key != "seed" ? analysis::compactNumber(*n) : listText(v).value_or(v);
}

bool RunCatalog::matchesFilter(size_t run) const {
  const CatalogRun& r = runs_.at(run);
  std::string haystack = r.name + '\n' + r.path + '\n' + r.status;
  for (const auto& [k, v] : r.keys) haystack += '\n' + k + '=' + v + ' ' + cellText(run, k);
  haystack = lower(haystack);
  std::istringstream words(lower(filter_));
  for (std::string word; words >> word;)
    if (haystack.find(word) == std::string::npos) return false;
  return true;
}

void RunCatalog::setRunHidden(const std::string& path, bool hidden) {
  if (hidden) hidden_.insert(path);
  else hidden_.erase(path);
}

bool RunCatalog::isShown(size_t run) const { return !isRunHidden(runs_.at(run).path) && matchesFilter(run); }

std::vector<std::string> RunCatalog::identityKeys(size_t) const {
  std::vector<std::string> keys = {"task", "method"};
  const std::vector<std::string> chosen = groupBy_.empty() ? keyNames() : groupBy_;
  for (const std::string& k : chosen)
    if ((groupBy_.empty() ? k != "seed" : true) && k != "task" && k != "method") keys.push_back(k);
  sortKeys(keys);
  return keys;
}

std::string RunCatalog::groupKey(size_t run) const {
  std::string key;
  for (const std::string& k : identityKeys(run)) key += k + '=' + value(run, k) + '\x1f';
  return key;
}

void RunCatalog::renameGroup(const std::string& groupKey, const std::string& name) {
  if (name.empty()) names_.erase(groupKey);
  else names_[groupKey] = name;
}

std::optional<std::string> RunCatalog::groupName(const std::string& groupKey) const {
  const auto it = names_.find(groupKey);
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> RunCatalog::tasks(Scope scope) const {
  std::vector<std::string> out;
  for (size_t r = 0; r < runs_.size(); ++r)
    if (inScope(r, scope) && std::find(out.begin(), out.end(), runs_[r].task) == out.end()) out.push_back(runs_[r].task);
  return out;
}

std::vector<RunGroup> RunCatalog::groups(const std::string& task, Scope scope) const {
  std::vector<RunGroup> out;
  std::vector<size_t> firstRun;  // a member of each group, for its key values
  for (size_t r = 0; r < runs_.size(); ++r) {
    if (!inScope(r, scope) || (!task.empty() && runs_[r].task != task)) continue;
    const std::string key = groupKey(r);
    auto it = std::find_if(out.begin(), out.end(), [&](const RunGroup& g) { return g.key == key; });
    if (it == out.end()) {
      RunGroup g;
      g.key = key;
      g.task = runs_[r].task;
      g.method = runs_[r].method;
      out.push_back(std::move(g));
      firstRun.push_back(r);
      it = std::prev(out.end());
    }
    it->paths.push_back(runs_[r].path);
  }
  if (out.empty()) return out;
  // A key labels the groups only where they differ in it.
  std::vector<std::string> varying;
  for (const std::string& k : identityKeys(firstRun.front())) {
    std::set<std::string> values;
    for (size_t r : firstRun) values.insert(value(r, k));
    if (values.size() > 1) varying.push_back(k);
  }
  std::map<std::string, int> perMethod;
  for (size_t g = 0; g < out.size(); ++g) {
    std::vector<std::string> parts;
    for (const std::string& k : varying) parts.push_back(labelPart(k, value(firstRun[g], k)));
    const std::string label = joined(parts);
    out[g].label = groupName(out[g].key).value_or(label.empty() ? methodDisplayName(out[g].method) : label);
    out[g].variant = perMethod[out[g].method]++;
  }
  return out;
}

std::string RunCatalog::caption(const std::string& task, Scope scope, bool headline) const {
  std::vector<size_t> members;
  for (size_t r = 0; r < runs_.size(); ++r)
    if (inScope(r, scope) && (task.empty() || runs_[r].task == task)) members.push_back(r);
  if (members.empty()) return "";
  std::vector<std::string> parts;
  for (const std::string& k : keyNames()) {
    if (k == "seed" || (headline && keyRank(k) >= 100)) continue;
    const std::string v = value(members.front(), k);
    if (v.empty() || v == "[]") continue;  // an unused path or list says nothing
    if (headline && k == "precision" && v == "auto") continue;  // says nothing without the device
    const bool shared = v != "-" && std::all_of(members.begin(), members.end(), [&](size_t r) { return value(r, k) == v; });
    if (shared) parts.push_back(labelPart(k, v));
  }
  return joined(parts);
}

}  // namespace sweet::ui
