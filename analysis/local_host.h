// This machine's host name, as a run's writer records it (environment attribute, lock
// files) and as readers compare it: one spelling, so a process on the same host
// recognises its own writers.
#pragma once

#include <string>

namespace sweet::analysis {

std::string localHostName();

}  // namespace sweet::analysis
