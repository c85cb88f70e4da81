// Reading one config.json field with a message that names the key: nlohmann's own errors
// ("type must be number, but is string") name none, and it truncates 12.5 layers to 12
// without a word. Shared by the BERT and DeBERTa config readers.
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <type_traits>

namespace sweet {

// Leaves `field` unchanged when the key is absent or null; throws std::runtime_error
// naming the key when the value has the wrong type.
template <typename T>
void readConfigField(const nlohmann::json& j, const char* key, T& field) {
  if (!j.contains(key) || j[key].is_null()) return;
  const auto& v = j[key];
  const bool ok = std::is_same_v<T, std::string> ? v.is_string()
                  : std::is_same_v<T, bool>      ? v.is_boolean()
                  : std::is_integral_v<T>        ? v.is_number_integer()
                                                 : v.is_number();
  if (!ok)
    throw std::runtime_error(std::string(key) + " must be " +
                             (std::is_same_v<T, std::string> ? "a string"
                              : std::is_same_v<T, bool>      ? "true or false"
                              : std::is_integral_v<T>        ? "an integer"
                                                             : "a number") +
                             ", not " + v.dump().substr(0, 40));
  field = v.get<T>();
}

}  // namespace sweet
