// Configuration key and type checks: see config_keys.h.
#include "training/runs/config_keys.h"

#include <stdexcept>

namespace sweet {
namespace {

void checkType(const std::string& key, const nlohmann::json& value, const nlohmann::json& known,
               const ConfigSources& from) {
  auto fail = [&](const std::string& expected) {
    throw std::runtime_error(from.of(key) + ": " + key + " must be " + expected + ", not " + quotedConfigValue(value));
  };
  if (key == "exit_loss_weights") return;  // a name or a list of numbers: train_config's validate checks it
  if (known.is_number_integer()) {
    if (!value.is_number_integer()) fail("an integer");
  } else if (known.is_number_float()) {
    if (!value.is_number()) fail("a number");
  } else if (known.is_boolean()) {
    if (!value.is_boolean()) fail("true or false");
  } else if (known.is_string()) {
    if (!value.is_string()) fail("a string");
  } else if (known.is_array()) {
    const bool ofStrings = key == "labels";
    if (!value.is_array()) fail(ofStrings ? "a list of strings" : "a list of integers");
    for (const auto& element : value)
      if (ofStrings ? !element.is_string() : !element.is_number_integer())
        fail(ofStrings ? "a list of strings" : "a list of integers");
  }
}

}  // namespace

std::string quotedConfigValue(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  return text.size() > 40 ? text.substr(0, 40) + "..." : text;
}

void checkConfigKeys(const nlohmann::json& given, const nlohmann::json& known, const ConfigSources& from,
                     const std::string& prefix) {
  if (!given.is_object())
    throw std::runtime_error((prefix.empty() ? from.file : from.of(prefix.substr(0, prefix.size() - 1))) + ": " +
                             (prefix.empty() ? "config" : prefix.substr(0, prefix.size() - 1)) + " must be a JSON object");
  for (const auto& [key, value] : given.items()) {
    if (!known.contains(key)) {
      std::string names;
      for (const auto& [k, v] : known.items()) names += (names.empty() ? "" : ", ") + k;
      throw std::runtime_error(from.of(prefix + key) + ": unknown key '" + prefix + key + "' (known: " + names + ")");
    }
    if (known[key].is_object()) checkConfigKeys(value, known[key], from, prefix + key + ".");
    else checkType(prefix + key, value, known[key], from);
  }
}

bool isPlainFileName(const std::string& name) {
  if (name == "." || name == "..") return false;
  for (unsigned char ch : name)
    if (ch == '/' || ch == '\\' || ch < 0x20 || ch == 0x7f) return false;
  return true;
}

}  // namespace sweet
