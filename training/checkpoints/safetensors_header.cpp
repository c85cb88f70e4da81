// Safetensors header and index parsing: see safetensors_header.h.
#include "training/checkpoints/safetensors_header.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>

namespace sweet {
namespace {

std::runtime_error fileError(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

}  // namespace

size_t safetensorsElementSize(const std::string& dtype) {
  static const std::map<std::string, size_t> sizes = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},
                                                      {"I32", 4}, {"I16", 2}, {"I8", 1},  {"U8", 1},   {"BOOL", 1}};
  const auto it = sizes.find(dtype);
  return it == sizes.end() ? 0 : it->second;
}

SafetensorsHeader parseSafetensorsHeader(const uint8_t* bytes, size_t size, const std::string& path) {
  if (size < 8)
    throw fileError(path, "truncated safetensors file (" + std::to_string(size) +
                              " bytes, shorter than the 8-byte header length)");
  uint64_t headerLen = 0;
  std::memcpy(&headerLen, bytes, 8);  // little-endian on every supported host
  if (headerLen > size - 8)
    throw fileError(path, "truncated safetensors file: header says " + std::to_string(headerLen) +
                              " bytes of JSON but only " + std::to_string(size - 8) + " follow");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes + 8, bytes + 8 + headerLen);
  } catch (const nlohmann::json::exception& e) {
    throw fileError(path, std::string("safetensors header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) throw fileError(path, "safetensors header is not a JSON object");

  SafetensorsHeader out;
  out.dataStart = 8 + static_cast<size_t>(headerLen);
  const size_t dataSize = size - out.dataStart;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) throw fileError(path, "__metadata__ is not a JSON object");
      for (const auto& [k, v] : entry.items())
        if (v.is_string()) out.metadata[k] = v.get<std::string>();
      continue;
    }
    SafetensorsEntry t;
    t.name = name;
    try {
      if (!entry.is_object()) throw std::runtime_error("the entry is not a JSON object");
      const auto& dtype = entry.at("dtype");
      if (!dtype.is_string()) throw std::runtime_error("dtype must be a string");
      t.dtype = dtype.get<std::string>();
      // get<int64_t> would silently truncate 64.5 to 64: whole numbers only.
      for (const char* key : {"shape", "data_offsets"}) {
        const auto& list = entry.at(key);
        if (!list.is_array()) throw std::runtime_error(std::string(key) + " must be a list of whole numbers");
        for (const auto& d : list)
          if (!d.is_number_integer()) throw std::runtime_error(std::string(key) + " must hold whole numbers, not " + d.dump());
      }
      for (const auto& d : entry.at("shape")) {
        if (d.is_number_unsigned() ? d.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX) : d.get<int64_t>() < 0)
          throw std::runtime_error("shape has a negative or impossibly large dimension");
        t.shape.push_back(d.get<int64_t>());
      }
      const auto& offsets = entry.at("data_offsets");
      if (offsets.size() != 2) throw std::runtime_error("data_offsets must have two entries");
      for (const auto& o : offsets)
        if (!o.is_number_unsigned() && o.get<int64_t>() < 0) throw std::runtime_error("data_offsets must not be negative");
      t.begin = offsets[0].get<uint64_t>();
      t.end = offsets[1].get<uint64_t>();
    } catch (const std::exception& e) {
      throw fileError(path, "bad header entry for tensor '" + name + "': " + e.what());
    }
    const size_t element = safetensorsElementSize(t.dtype);
    if (element == 0)
      throw fileError(path, "tensor '" + name + "': unsupported safetensors dtype '" + t.dtype +
                                "' (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL are)");
    uint64_t numel = 1;
    for (int64_t d : t.shape)
      // An overflowing product could wrap round to the stored size and map a tensor far
      // larger than the file.
      if (__builtin_mul_overflow(numel, static_cast<uint64_t>(d), &numel))
        throw fileError(path, "tensor '" + name + "' has an impossibly large shape");
    uint64_t expected = 0;
    if (__builtin_mul_overflow(numel, static_cast<uint64_t>(element), &expected))
      throw fileError(path, "tensor '" + name + "' has an impossibly large shape");
    if (t.end < t.begin || t.end - t.begin != expected)
      throw fileError(path, "tensor '" + name + "' has data_offsets [" + std::to_string(t.begin) + ", " +
                                std::to_string(t.end) + ") but its shape and dtype need " + std::to_string(expected) +
                                " bytes");
    if (t.end > dataSize)
      throw fileError(path, "truncated safetensors file: tensor '" + name + "' ends at byte " +
                                std::to_string(out.dataStart + t.end) + " but the file has " + std::to_string(size) +
                                " bytes");
    out.tensors.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> safetensorsIndexShards(const std::string& indexPath) {
  std::ifstream in(indexPath);
  if (!in) throw fileError(indexPath, "cannot open");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw fileError(indexPath, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
    throw fileError(indexPath, "no \"weight_map\" object (tensor name -> shard file)");
  std::set<std::string> shards;
  for (const auto& [tensor, shard] : j["weight_map"].items()) {
    if (!shard.is_string()) throw fileError(indexPath, "weight_map entry '" + tensor + "' is not a file name");
    const std::string file = shard.get<std::string>();
    if (file.empty() || file == "." || file == ".." || file.find('/') != std::string::npos ||
        file.find('\0') != std::string::npos)
      throw fileError(indexPath, "weight_map entry '" + tensor + "' names '" + file +
                                     "', not a file in the checkpoint folder");
    shards.insert(file);
  }
  if (shards.empty()) throw fileError(indexPath, "weight_map names no shard");
  return {shards.begin(), shards.end()};
}

}  // namespace sweet
