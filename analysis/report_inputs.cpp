// Reading a report's run files: see report_inputs.h.
#include "report_inputs.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

namespace sweet::analysis {
namespace fs = std::filesystem;

namespace {

using File = std::unique_ptr<FILE, int (*)(FILE*)>;

// Byte for byte, stopping at the first difference: run files of one sweep often have one
// size, but they differ early (the config attribute sits in the root's header), so telling
// them apart reads a few kilobytes, not the files. False when either cannot be read.
bool sameBytes(const std::string& a, const std::string& b) {
  File fa(std::fopen(a.c_str(), "rb"), &std::fclose), fb(std::fopen(b.c_str(), "rb"), &std::fclose);
  if (!fa || !fb) return false;
  std::vector<char> ba(1 << 16), bb(1 << 16);
  while (true) {
    const size_t na = std::fread(ba.data(), 1, ba.size(), fa.get());
    const size_t nb = std::fread(bb.data(), 1, bb.size(), fb.get());
    if (na != nb || std::ferror(fa.get()) || std::ferror(fb.get())) return false;
    if (na == 0) return true;
    if (!std::equal(ba.begin(), ba.begin() + static_cast<std::ptrdiff_t>(na), bb.begin())) return false;
  }
}

}  // namespace

ReportInputs loadReportInputs(const std::vector<std::string>& paths) {
  ReportInputs inputs;
  std::map<uintmax_t, std::vector<std::string>> kept;  // file size -> files kept of that size
  for (const std::string& path : paths) {
    std::error_code ec;
    const uintmax_t size = fs::file_size(path, ec);
    if (!ec) {
      std::vector<std::string>& sameSize = kept[size];
      const auto copyOf = std::find_if(sameSize.begin(), sameSize.end(), [&](const std::string& k) { return sameBytes(k, path); });
      if (copyOf != sameSize.end()) {
        inputs.notes.push_back(path + ": byte-identical to " + *copyOf +
                               ": a copy of the same run, left out (pooled, it would count one seed twice)");
        continue;
      }
    }
    try {
      inputs.runs.push_back(loadRun(path));
      if (!ec) kept[size].push_back(path);
    } catch (const std::exception& e) {
      inputs.unreadable.emplace_back(path, e.what());
    }
  }
  return inputs;
}

}  // namespace sweet::analysis
