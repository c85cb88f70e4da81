// The parts of a safetensors checkpoint that come from untrusted bytes, read without
// libtorch: the 8-byte length + JSON header of one .safetensors file (names, dtypes,
// shapes, byte ranges, all checked against the file's size) and the shard list of a
// model.safetensors.index.json. Kept torch-free so the fuzzers can link it alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sweet {

struct SafetensorsEntry {
  std::string name, dtype;     // dtype as written: "F32", "BF16", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0; // byte range within the data section
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> tensors;       // in the header's (sorted) key order
  std::map<std::string, std::string> metadata; // the optional "__metadata__" strings
  size_t dataStart = 0;                        // offset of the data section in the file
};

// Bytes per element of a safetensors dtype name; 0 for a name this reader does not know.
size_t safetensorsElementSize(const std::string& dtype);

// Parses and checks the header of a whole file's bytes: the length fits the file, the JSON
// is an object, every entry has a known dtype, whole-number non-negative shape, and a byte
// range that matches shape x dtype without overflow and lies inside the data section.
// Throws std::runtime_error "<path>: ..." naming the tensor and the problem.
SafetensorsHeader parseSafetensorsHeader(const uint8_t* bytes, size_t size, const std::string& path);

// The shard files a model.safetensors.index.json names in its weight_map (each once, in
// sorted order). Refuses anything but plain file names in the index's folder ("../x" or
// "/etc/x" would read outside the checkpoint). Throws naming the index file.
std::vector<std::string> safetensorsIndexShards(const std::string& indexPath);

}  // namespace sweet
