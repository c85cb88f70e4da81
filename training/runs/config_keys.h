// Checking a JSON configuration against its struct before converting it: every key known,
// every value of its default's type, a run name that stays in its folder. `sweet train`
// and `sweet pretrain` configs share it, so both name the key and where it came from (the
// file or a --set) in the same words.
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <string>

namespace sweet {

// Where a key's value came from, for messages: the config file or the --set that set it.
struct ConfigSources {
  std::string file;
  std::set<std::string> overridden;
  std::string of(const std::string& key) const { return overridden.count(key) ? "--set " + key : file; }
};

// A value quoted in a message: short, one line.
std::string quotedConfigValue(const nlohmann::json& value);

// Every key of `given` (an object) must be in `known` (the struct's defaults as JSON), and
// each value of its default's type (nlohmann's own conversion names no key and truncates
// 1.5 to 1 silently); nested objects are checked key by key as "outer.inner". `prefix`:
// "" at the top. Throws std::runtime_error naming the source and the key.
void checkConfigKeys(const nlohmann::json& given, const nlohmann::json& known, const ConfigSources& from,
                     const std::string& prefix = "");

// Empty (the default name) or one path component that stays where it is put.
bool isPlainFileName(const std::string& name);

}  // namespace sweet
