// How runs are named wherever a person reads them: a learning rate's text, a run's default
// name, a model folder's display name and the order methods are listed in. One source, so
// a sweep id, a run file, a report row and a GUI label never spell one run two ways.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace sweet::analysis {

struct RunData;

// A number as people write it in configs and papers: shortest "%g" form with the
// exponent's leading zeros dropped (3e-05 -> "3e-5", 0.0005 -> "0.0005", 2 -> "2").
std::string compactNumber(double value);
// The learning rate's text everywhere (run names, sweep ids, report groups, GUI labels).
std::string formatLearningRate(double learningRate);

// A config value as a label prints it: strings bare, numbers as compactNumber (0.0 -> "0",
// so a label says "alpha 0", not the JSON "alpha 0.0"), lists as "[1, 0.5, 0.5, 2]".
std::string labelValueText(const nlohmann::json& value);

// The run name a config gets when it sets none: "<task>-<method>-lr<lr>-s<seed>".
std::string defaultRunName(const std::string& task, const std::string& method, double learningRate, int64_t seed);

// A checkpoint path's folder name ("/x/bert-base-uncased/" -> "bert-base-uncased"); empty
// for an empty path.
std::string modelFolderName(std::string modelPath);
// The model a run fine-tuned, as a label: the checkpoint folder's name, else "<L>L" from
// the backbone depth when the config names no model.
std::string modelDisplayName(const RunData& run);

// What sets a run apart as an experiment beyond its model, method, task and train cap: the
// config keys that change what is trained or how its exits are chosen, each only where it
// differs from the default ("lte joint", "pooler shared", "precision bf16"), joined by
// ", "; "" for the plain setup. Learning rate and seed are not in it: they are what a
// selection and a seed mean range over.
std::string experimentVariant(const RunData& run);
// The method as report rows, learning-rate selections and averages name it: "ee", or
// "ee (lte joint)" where experimentVariant is not empty, so an LTE or a shared-pooler run
// is its own row and picks its own learning rate instead of competing with the plain one.
std::string methodLabel(const RunData& run);

// The order methods are listed in, in every table, panel and legend: EE, MM, SWEET (the
// paper's baseline first, then the two it is compared with), then PCGrad; unknown methods last. A
// methodLabel ranks by its method ("ee (lte joint)" with "ee").
int methodRank(const std::string& method);

}  // namespace sweet::analysis
