// Checkpoint identity for pooling seeds: see checkpoint_identity.h.
#include "training/checkpoints/checkpoint_identity.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace sweet {

std::string contentHash(const std::vector<std::string>& files) {
  constexpr uint64_t kPrime = 0x100000001b3ULL;
  uint64_t h = 0xcbf29ce484222325ULL;
  std::vector<char> buffer(size_t{1} << 22);
  for (const std::string& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read to identify the checkpoint");
    while (in) {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      const auto got = static_cast<size_t>(in.gcount());
      size_t i = 0;
      for (; i + 8 <= got; i += 8) {
        uint64_t word;
        std::memcpy(&word, buffer.data() + i, 8);
        h = (h ^ word) * kPrime;
      }
      for (; i < got; ++i) h = (h ^ static_cast<unsigned char>(buffer[i])) * kPrime;
    }
    h = (h ^ 0xffULL) * kPrime;  // file boundary: {ab, c} and {a, bc} differ
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

nlohmann::json checkpointIdentity(const std::string& dir, const std::string& weightsFile) {
  std::filesystem::path folder(dir);
  if (!folder.has_filename()) folder = folder.parent_path();  // "a/ck/" names ck
  const std::string config = (folder / "config.json").string();
  return {{"name", folder.filename().string()}, {"hash", contentHash({config, weightsFile})}};
}

}  // namespace sweet
