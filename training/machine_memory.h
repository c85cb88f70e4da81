// How much memory this machine has, for refusing a model that cannot fit before allocating
// it: a config.json with num_hidden_layers 1000000000 used to allocate 5 GB and end in
// bad_alloc minutes later.
#pragma once

#include <cstdint>
#include <string>

namespace sweet {

// Physical memory in bytes (sysconf); 0 when the system does not say.
int64_t physicalMemoryBytes();

// "12.3 GB" (or "134 TB"): a size in a message.
std::string gigabytesText(double bytes);

// Throws std::runtime_error "<what> needs about X GB (<how>), more than this machine's Y GB
// of memory" when `bytes` exceeds physical memory.
void checkFitsInMemory(double bytes, const std::string& what, const std::string& how);

}  // namespace sweet
