// Machine memory: see machine_memory.h.
#include "training/machine_memory.h"

#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace sweet {

int64_t physicalMemoryBytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), pageSize = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && pageSize > 0 ? static_cast<int64_t>(pages) * pageSize : 0;
}

std::string gigabytesText(double bytes) {
  char text[64];
  if (bytes < 1e12) std::snprintf(text, sizeof text, "%.1f GB", bytes / 1e9);
  else std::snprintf(text, sizeof text, "%.3g TB", bytes / 1e12);
  return text;
}

void checkFitsInMemory(double bytes, const std::string& what, const std::string& how) {
  const int64_t memory = physicalMemoryBytes();
  if (memory > 0 && bytes > static_cast<double>(memory))
    throw std::runtime_error(what + " needs about " + gigabytesText(bytes) + " (" + how + "), more than this machine's " +
                             gigabytesText(static_cast<double>(memory)) + " of memory");
}

}  // namespace sweet
