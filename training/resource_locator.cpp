// Resource lookup: see resource_locator.h.
#include "training/resource_locator.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace sweet {
namespace fs = std::filesystem;

std::string resourcePath(const std::string& relative) {
  std::vector<fs::path> roots;
  if (const char* env = std::getenv("SWEET_RESOURCES")) roots.emplace_back(env);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) roots.push_back(exe.parent_path().parent_path() / "share" / "sweet-workbench");
  roots.emplace_back(SWEET_SOURCE_RESOURCES);
  std::string searched;
  for (const auto& root : roots) {
    const fs::path candidate = root / relative;
    if (fs::exists(candidate)) return candidate.string();
    searched += (searched.empty() ? "" : ", ") + root.string();
  }
  throw std::runtime_error("resource '" + relative + "' not found (searched " + searched + "; set SWEET_RESOURCES)");
}

}  // namespace sweet
