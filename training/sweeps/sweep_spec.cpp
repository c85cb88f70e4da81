// Sweep files: see sweep_spec.h.
#include "training/sweeps/sweep_spec.h"

#include "analysis/run_naming.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>
#include <stdexcept>

namespace sweet {
namespace fs = std::filesystem;

namespace {

using ordered = nlohmann::ordered_json;

// Keys whose string values are paths, resolved against the sweep file's folder.
const std::set<std::string> kPathKeys = {"model", "data_dir", "train_file", "eval_file"};

std::string sanitize(const std::string& text) {
  std::string out;
  for (char ch : text) {
    const bool safe = std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-';
    out += safe ? ch : '_';
  }
  return out;
}

std::string valueText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number()) return analysis::compactNumber(value.get<double>());
  return value.dump();
}

void resolvePaths(nlohmann::json& config, const fs::path& base) {
  for (const auto& key : kPathKeys)
    if (config.contains(key) && config[key].is_string()) {
      const std::string value = config[key].get<std::string>();
      if (!value.empty() && fs::path(value).is_relative()) config[key] = fs::absolute(base / value).lexically_normal().string();
    }
}

struct AxisValue {
  std::string label;
  nlohmann::json overrides;  // {key: value, ...}
};

struct Axis {
  std::string name;
  std::vector<AxisValue> values;
};

// Advances an odometer over the axes; false once every combination was taken.
bool nextPick(std::vector<size_t>& pick, const std::vector<Axis>& axes) {
  for (size_t a = axes.size(); a-- > 0;) {
    if (++pick[a] < axes[a].values.size()) return true;
    pick[a] = 0;
  }
  return false;
}

SlurmSettings readSlurm(const ordered& j, const std::string& where) {
  SlurmSettings s;
  for (const auto& item : j.items()) {
    // Named references, not a structured binding: C++17 lets no lambda capture one
    // (gcc allows it, clang refuses).
    const std::string& key = item.key();
    const ordered& value = item.value();
    auto fail = [&](const std::string& expected) {
      throw std::runtime_error(where + ": slurm." + key + " must be " + expected);
    };
    auto text = [&]() -> std::string {
      if (!value.is_string()) fail("a string");
      return value.get<std::string>();
    };
    auto integer = [&]() -> int64_t {
      if (!value.is_number_integer() || value.get<int64_t>() < 0) fail("a non-negative integer");
      return value.get<int64_t>();
    };
    auto lines = [&]() -> std::vector<std::string> {
      if (!value.is_array()) fail("a list of strings");
      std::vector<std::string> out;
      for (const auto& line : value) {
        if (!line.is_string()) fail("a list of strings");
        out.push_back(line.get<std::string>());
      }
      return out;
    };
    if (key == "partition") s.partition = text();
    else if (key == "account") s.account = text();
    else if (key == "qos") s.qos = text();
    else if (key == "mem") s.mem = text();
    else if (key == "time") s.time = text();
    else if (key == "gpus") s.gpus = integer();
    else if (key == "cpus_per_task") s.cpus_per_task = integer();
    else if (key == "max_parallel") s.max_parallel = integer();
    else if (key == "signal_seconds") s.signal_seconds = integer();
    else if (key == "extra") s.extra = lines();
    else if (key == "setup") s.setup = lines();
    else if (key == "sweet") s.sweet = text();
    else
      throw std::runtime_error(where + ": unknown key slurm." + key +
                               " (partition, account, qos, mem, time, gpus, cpus_per_task, max_parallel, "
                               "signal_seconds, extra, setup, sweet)");
  }
  return s;
}

}  // namespace

std::string sweepIdPart(const std::string& key, const nlohmann::json& value) {
  if (key == "learning_rate" && value.is_number()) return "lr" + analysis::formatLearningRate(value.get<double>());
  if (key == "learning_rate") return "lr" + valueText(value);
  if (key == "seed") return "s" + valueText(value);
  if (key == "train_cap") return "cap" + valueText(value);
  if (key == "task" || key == "method") return sanitize(valueText(value));
  if (kPathKeys.count(key) && value.is_string()) return sanitize(fs::path(value.get<std::string>()).filename().string());
  if (key == "exit_loss_weights" && value.is_array()) {
    // "w1-0.5-0.5-2", not the JSON's "exit_loss_weights_1_0.5_0.5_2_": the weights as read.
    std::string weights;
    for (const auto& w : value) weights += (weights.empty() ? "" : "-") + valueText(w);
    return sanitize("w" + weights);
  }
  const auto dot = key.rfind('.');
  return sanitize((dot == std::string::npos ? key : key.substr(dot + 1)) + valueText(value));
}

std::string Sweep::configPath(const SweepRun& run) const { return (fs::path(output_dir) / "configs" / (run.id + ".json")).string(); }
std::string Sweep::logPath(const SweepRun& run) const { return (fs::path(output_dir) / "logs" / (run.id + ".log")).string(); }

namespace {

ordered readSweepFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read sweep file");
  ordered j;
  try {
    j = ordered::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw std::runtime_error(path + ": a sweep file is a JSON object with base, grid and output_dir");
  for (const auto& [key, value] : j.items())
    if (key != "name" && key != "base" && key != "grid" && key != "output_dir" && key != "slurm")
      throw std::runtime_error(path + ": unknown key '" + key + "' (name, base, grid, output_dir, slurm)");
  return j;
}

// The configuration every run starts from, its paths resolved against the sweep's folder.
nlohmann::json sweepBase(const ordered& j, const fs::path& folder, const std::string& path) {
  nlohmann::json base = nlohmann::json::object();
  if (!j.contains("base")) return base;
  if (j["base"].is_string()) {
    // A config file (a preset): its output_dir and run_name give way to the sweep's, and
    // its relative paths are read from the sweep file's folder like every other path of
    // the sweep (a preset's "glue_data/RTE" means the same beside the sweep file as it
    // does for `sweet train` run from there).
    base = readConfigFile((folder / j["base"].get<std::string>()).string());
    base.erase("output_dir");
    base.erase("run_name");
  } else if (j["base"].is_object()) {
    base = nlohmann::json::parse(j["base"].dump());
    for (const char* owned : {"output_dir", "run_name"})
      if (base.contains(owned))
        throw std::runtime_error(path + ": base." + owned + " is set by the sweep (its output_dir and each run's id); "
                                 "remove it from the base configuration");
  } else {
    throw std::runtime_error(path + ": base must be a configuration object or the path of a config file");
  }
  resolvePaths(base, folder);
  return base;
}

Axis readAxis(const std::string& name, const ordered& values, const fs::path& folder, const std::string& path) {
  Axis axis{name, {}};
  if (values.is_array()) {  // values of the config key `name`
    for (const auto& v : values) {
      nlohmann::json value = nlohmann::json::parse(v.dump());
      nlohmann::json probe = nlohmann::json::object();
      setDottedKey(probe, name, value);
      resolvePaths(probe, folder);
      axis.values.push_back({sweepIdPart(name, value), probe});
    }
  } else if (values.is_object()) {  // label -> overrides (a backbone: model and max_length, a task: its data_dir)
    for (const auto& [label, overrides] : values.items()) {
      if (!overrides.is_object())
        throw std::runtime_error(path + ": grid." + name + "." + label + " must be an object of configuration keys");
      nlohmann::json o = nlohmann::json::object();
      for (const auto& [key, value] : overrides.items()) setDottedKey(o, key, nlohmann::json::parse(value.dump()));
      resolvePaths(o, folder);
      axis.values.push_back({sanitize(label), o});
    }
  } else {
    throw std::runtime_error(path + ": grid." + name + " must be a list of values or an object of labelled overrides");
  }
  if (axis.values.empty()) throw std::runtime_error(path + ": grid." + name + " has no values");
  for (const AxisValue& v : axis.values)
    // An empty label named a run's configuration configs/.json; "." and ".." name folders.
    if (v.label.empty() || v.label == "." || v.label == "..")
      throw std::runtime_error(path + ": grid." + name + ": a value gives the run id part '" + v.label +
                               "', which names no file; give it a label (grid." + name +
                               " as an object: {\"label\": {\"" + name + "\": value}})");
  return axis;
}

// The id of the run at `index` of the grid (mixed radix, the last axis fastest): for the
// duplicate check, which keeps hashes and rebuilds an id only when two hashes meet.
std::string idAt(const std::vector<Axis>& axes, int64_t index) {
  std::vector<std::string> parts(axes.size());
  for (size_t a = axes.size(); a-- > 0;) {
    const auto n = static_cast<int64_t>(axes[a].values.size());
    parts[a] = axes[a].values[static_cast<size_t>(index % n)].label;
    index /= n;
  }
  std::string id;
  for (const std::string& p : parts) id += (id.empty() ? "" : "-") + p;
  return id;
}

// The cartesian product of the axes over `base`, the last axis varying fastest: the order
// is the file's. One run at a time, so memory stays flat however large the grid.
void expandGrid(const Sweep& sweep, const nlohmann::json& base, const std::vector<Axis>& axes, const std::string& path,
                const std::function<void(const SweepRun&)>& onRun) {
  std::vector<size_t> pick(axes.size(), 0);
  // Hashes of the ids, not the ids: a 10^6-run grid's ids took ~100 MB as strings.
  std::unordered_multimap<size_t, int64_t> seen;
  for (int64_t index = 0;; ++index) {  // until nextPick wraps around
    SweepRun run;
    run.index = index;
    run.config = base;
    for (size_t a = 0; a < axes.size(); ++a) {
      const AxisValue& v = axes[a].values[pick[a]];
      run.config.merge_patch(v.overrides);
      run.id += (run.id.empty() ? "" : "-") + v.label;
    }
    run.config["output_dir"] = sweep.output_dir;
    run.config["run_name"] = run.id;
    const size_t hash = std::hash<std::string>{}(run.id);
    const auto [first, last] = seen.equal_range(hash);
    for (auto it = first; it != last; ++it)
      if (idAt(axes, it->second) == run.id)
        throw std::runtime_error(path + ": two runs get the id '" + run.id + "'; give the grid values distinct labels");
    seen.emplace(hash, index);
    run.train = trainConfigFromJson(run.config, path + " (run " + run.id + ")");
    onRun(run);
    if (!nextPick(pick, axes)) break;
  }
}

// Counted before expanding: each run costs a validated configuration in memory (a 10^6-run
// grid took 31 s and 3.2 GB to plan), and a grid that large is more often a typo than a plan.
void checkGridSize(const std::vector<Axis>& axes, bool allowLarge, const std::string& path) {
  double runs = 1;
  std::string product;
  for (const Axis& axis : axes) {
    runs *= static_cast<double>(axis.values.size());
    product += (product.empty() ? "" : " x ") + std::to_string(axis.values.size()) + " " + axis.name;
  }
  if (runs > static_cast<double>(kMaxSweepRuns) && !allowLarge)
    throw std::runtime_error(path + ": the grid has " + product + " = " + (runs < 1e15 ? std::to_string(std::llround(runs)) : "over 10^15") +
                             " runs, more than " + std::to_string(kMaxSweepRuns) +
                             "; shrink the grid, or pass --allow-large if you mean it");
}

}  // namespace

void forEachSweepRun(const std::string& path, bool allowLarge, Sweep& sweep,
                     const std::function<void(const SweepRun&)>& onRun) {
  const ordered j = readSweepFile(path);
  const fs::path folder = fs::absolute(fs::path(path)).parent_path();
  sweep.path = path;
  sweep.name = j.contains("name") && j["name"].is_string() ? j["name"].get<std::string>() : fs::path(path).stem().string();
  const nlohmann::json base = sweepBase(j, folder, path);
  const std::string outputDir = j.contains("output_dir") && j["output_dir"].is_string() ? j["output_dir"].get<std::string>()
                                                                                       : fs::path(path).stem().string();
  sweep.output_dir = fs::absolute(folder / outputDir).lexically_normal().string();
  if (!j.contains("grid") || !j["grid"].is_object() || j["grid"].empty())
    throw std::runtime_error(path + ": grid must be an object of axes, e.g. {\"method\": [\"ee\", \"sweet\"], \"seed\": [1, 2]}");
  std::vector<Axis> axes;
  for (const auto& [name, values] : j["grid"].items()) axes.push_back(readAxis(name, values, folder, path));
  checkGridSize(axes, allowLarge, path);
  if (j.contains("slurm")) {
    if (!j["slurm"].is_object()) throw std::runtime_error(path + ": slurm must be an object");
    sweep.slurm = readSlurm(j["slurm"], path);
  }
  expandGrid(sweep, base, axes, path, onRun);
}

Sweep loadSweep(const std::string& path, bool allowLarge) {
  Sweep sweep;
  forEachSweepRun(path, allowLarge, sweep, [&sweep](const SweepRun& run) { sweep.runs.push_back(run); });
  return sweep;
}

void writeRunConfigs(const Sweep& sweep) {
  for (const char* sub : {"configs", "logs"}) {
    std::error_code ec;
    fs::create_directories(fs::path(sweep.output_dir) / sub, ec);
    if (ec) throw std::runtime_error(sweep.output_dir + ": cannot create the sweep's folders: " + ec.message());
  }
  for (const auto& run : sweep.runs) {
    const std::string target = sweep.configPath(run), partial = target + ".partial";
    // Checked after the close: a small file reaches the disk only when its buffer is
    // flushed there, so a full disk used to leave an empty config for every run, each of
    // which then failed with an empty log.
    errno = 0;
    std::ofstream out(partial);
    out << run.config.dump(2) << "\n";
    out.close();
    std::error_code ec;
    if (out) fs::rename(partial, target, ec);
    if (!out || ec) {
      const std::string cause = ec ? ec.message() : errno != 0 ? std::strerror(errno) : "write failed";
      fs::remove(partial, ec);
      throw std::runtime_error(target + ": cannot write the run's configuration (" + cause + ")");
    }
  }
}

}  // namespace sweet
